/** The console's stylesheet: served as app.css by the console, inlined by the HTML report. No external fonts or assets. */
export const CONSOLE_CSS = `/* Lantern console: one stylesheet, no external fonts or assets. Shared by the HTML report. */
:root {
  --bg: #f6f7f9; --panel: #fff; --ink: #1c2430; --muted: #667085; --line: #e4e7ec; --accent: #c2410c; --accent-soft: #fff4ed;
  --ok: #12805c; --warn: #b54708; --bad: #c01048; --blue: #2e5aac; --violet: #6941c6;
  --shadow: 0 1px 2px rgba(16, 24, 40, .06), 0 1px 3px rgba(16, 24, 40, .08);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--blue); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 22px; margin: 0; font-weight: 650; letter-spacing: -.01em; }
h2 { font-size: 13px; margin: 0 0 12px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
h3 { font-size: 14px; margin: 14px 0 6px; }
.top { display: flex; align-items: center; gap: 12px; height: 52px; padding: 0 20px; background: #101828; color: #fff; }
.brand { display: flex; align-items: center; gap: 8px; color: #fff; font-weight: 700; font-size: 17px; }
.brand svg { width: 22px; height: 22px; } .logo { fill: #fb923c; }
.tagline { color: #98a2b3; font-size: 13px; } .who { margin-left: auto; color: #98a2b3; font-size: 12px; }
.shell { display: grid; grid-template-columns: 196px 1fr; min-height: calc(100vh - 52px); }
nav { background: var(--panel); border-right: 1px solid var(--line); padding: 16px 10px; display: flex; flex-direction: column; gap: 2px; }
nav a { color: var(--ink); padding: 8px 12px; border-radius: 6px; font-weight: 500; }
nav a:hover { background: var(--bg); text-decoration: none; }
nav a.active { background: var(--accent-soft); color: var(--accent); }
main { padding: 22px 28px 48px; min-width: 0; max-width: 1440px; }
.page-head { display: flex; align-items: baseline; gap: 14px; margin-bottom: 16px; }
.page-head .sub { color: var(--muted); } .head-actions { margin-left: auto; display: flex; gap: 8px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px; box-shadow: var(--shadow); margin-bottom: 16px; min-width: 0; }
.card.flush { padding: 0; overflow-x: auto; }
.grid2 { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
.grid3 { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 16px; }
.grid2 > .card, .grid3 > .card { margin-bottom: 0; } .grid2, .grid3 { margin-bottom: 16px; }
@media (max-width: 1100px) { .grid2, .grid3 { grid-template-columns: 1fr; } }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin-bottom: 16px; }
.stat { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; box-shadow: var(--shadow); }
.stat-value { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; } .stat-label { color: var(--muted); font-size: 12px; }
.stat.alert .stat-value { color: var(--bad); }
table.data { width: 100%; border-collapse: collapse; font-size: 13px; }
table.data th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; padding: 9px 10px; border-bottom: 1px solid var(--line); background: #fafbfc; white-space: nowrap; }
table.data td { padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: middle; }
table.data tr:last-child td { border-bottom: 0; }
table.data tbody tr:hover td { background: #fafbfc; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num.over { color: var(--bad); font-weight: 600; }
.path { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; word-break: break-all; }
.host, .when { color: var(--muted); white-space: nowrap; font-size: 12.5px; }
.ua { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; color: #475467; max-width: 340px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.caller { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; overflow-wrap: anywhere; }
table.data td.caller { min-width: 150px; }
.etype { white-space: nowrap; margin-right: 2px; }
.card { overflow-x: auto; }
tr.standout td:first-child { box-shadow: inset 3px 0 0 var(--bad); }
tr.row-zombie td:first-child { box-shadow: inset 3px 0 0 var(--violet); }
tr.standout { background: #fff7f8; }
tr.row-zombie { background: #f9f5ff; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 11.5px; font-weight: 600; background: #f2f4f7; color: #344054; white-space: nowrap; }
.cls-shadow { background: #fee4e2; color: #b42318; } .cls-zombie { background: #ebe9fe; color: #5925dc; }
.cls-managed { background: #dcfae6; color: #067647; } .cls-unused { background: #f2f4f7; color: #475467; }
.sev-critical { background: #c01048; color: #fff; } .sev-high { background: #fee4e2; color: #b42318; }
.sev-medium { background: #fef0c7; color: #93370d; } .sev-low { background: #eff8ff; color: #175cd3; }
.st-open, .st-active { background: #fef0c7; color: #93370d; } .st-resolved, .st-lifted, .st-expired { background: #f2f4f7; color: #475467; }
.st-acknowledged { background: #eff8ff; color: #175cd3; }
.act-block { background: #fee4e2; color: #b42318; } .act-throttle { background: #fef0c7; color: #93370d; }
.method { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 11px; font-weight: 700; padding: 1px 6px; border-radius: 4px; background: #f2f4f7; color: #344054; }
.m-get { background: #eff8ff; color: #175cd3; } .m-post { background: #ecfdf3; color: #067647; } .m-delete { background: #fef3f2; color: #b42318; }
.m-put, .m-patch { background: #fffaeb; color: #b54708; }
.flag { display: inline-block; margin: 0 4px 2px 0; padding: 0 6px; border-radius: 4px; font-size: 11px; border: 1px solid var(--line); color: #475467; }
.flag-sensitive { border-color: #fda29b; color: #b42318; background: #fff6f5; } .flag-unauth { border-color: #fec84b; color: #93370d; background: #fffcf5; }
.etype { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); font-family: system-ui, sans-serif; }
.risk { display: inline-block; min-width: 30px; text-align: center; padding: 1px 6px; border-radius: 6px; font-weight: 700; font-variant-numeric: tabular-nums; }
.risk-high { background: #c01048; color: #fff; } .risk-mid { background: #fef0c7; color: #93370d; } .risk-low { background: #f2f4f7; color: #475467; }
.meter-cell { display: inline-flex; align-items: center; gap: 6px; font-variant-numeric: tabular-nums; color: #475467; font-size: 12px; white-space: nowrap; }
.meter { width: 40px; height: 6px; } .meter-track { fill: #eaecf0; } .meter-fill { fill: var(--blue); }
.meter-fill.ok { fill: var(--ok); } .meter-fill.warn { fill: #f79009; } .meter-fill.bad { fill: var(--bad); }
.chart { margin: 0; } .chart svg { width: 100%; height: auto; max-height: 240px; display: block; }
.chart figcaption { display: flex; gap: 14px; font-size: 12px; color: var(--muted); margin-top: 4px; }
.key::before { content: ""; display: inline-block; width: 10px; height: 3px; margin-right: 5px; vertical-align: middle; background: var(--accent); }
.key-baseline::before { background: #667085; }
.grid { stroke: #eaecf0; stroke-width: 1; } .axis { fill: #98a2b3; font-size: 10px; }
.area { fill: #fb923c; fill-opacity: .16; } .line { fill: none; stroke: var(--accent); stroke-width: 2; vector-effect: non-scaling-stroke; }
.bar { fill: #fb923c; } .baseline { fill: none; stroke: #475467; stroke-width: 1.5; stroke-dasharray: 5 4; vector-effect: non-scaling-stroke; }
.chart-empty { color: var(--muted); padding: 40px 0; text-align: center; background: #fafbfc; border-radius: 8px; }
ul.bars { list-style: none; margin: 0; padding: 0; }
ul.bars li { display: grid; grid-template-columns: 120px 1fr 60px; align-items: center; gap: 10px; padding: 4px 0; }
ul.bars li.zero { opacity: .55; }
.bar-label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-size: 13px; }
.bar-track { width: 100%; height: 8px; background: #f2f4f7; border-radius: 4px; }
.bar-fill { fill: #98a2b3; } .bar-value { text-align: right; font-variant-numeric: tabular-nums; font-weight: 600; }
.bar-fill.cls-shadow { fill: #f04438; } .bar-fill.cls-zombie { fill: #7a5af8; } .bar-fill.cls-managed { fill: #17b26a; }
.bar-fill.sev-critical { fill: #c01048; } .bar-fill.sev-high { fill: #f04438; } .bar-fill.sev-medium { fill: #f79009; } .bar-fill.sev-low { fill: #2e90fa; }
.bar-fill.act { fill: var(--accent); }
.stack > svg { width: 100%; height: 14px; border-radius: 4px; display: block; }
.seg.st2 { fill: #17b26a; } .seg.st3 { fill: #2e90fa; } .seg.st4 { fill: #f79009; } .seg.st5 { fill: #f04438; } .seg.st0, .seg.st1 { fill: #98a2b3; }
.legend { list-style: none; padding: 0; margin: 8px 0 0; display: flex; flex-wrap: wrap; gap: 12px; font-size: 12px; color: #475467; }
.swatch { width: 10px; height: 10px; margin-right: 4px; vertical-align: -1px; }
.toolbar { display: flex; flex-wrap: wrap; gap: 10px 16px; align-items: center; margin-bottom: 12px; }
.search { width: 300px; padding: 7px 10px; border: 1px solid #d0d5dd; border-radius: 8px; font: inherit; background: #fff; }
.search:focus { outline: 2px solid #fdba74; border-color: #fb923c; }
.chips { display: flex; gap: 4px; flex-wrap: wrap; }
.chip { display: inline-flex; gap: 4px; align-items: center; padding: 3px 10px; border-radius: 999px; border: 1px solid #d0d5dd; background: #fff; color: #344054; font-size: 12.5px; }
.chip:hover { text-decoration: none; border-color: #98a2b3; } .chip.on { background: #101828; border-color: #101828; color: #fff; }
.chip .n { color: #98a2b3; font-size: 11px; } .chip-shadow.on { background: #b42318; border-color: #b42318; } .chip-zombie.on { background: #5925dc; border-color: #5925dc; }
.btn { font: inherit; font-size: 13px; padding: 5px 12px; border-radius: 7px; border: 1px solid #101828; background: #101828; color: #fff; cursor: pointer; white-space: nowrap; }
.btn-quiet { background: #fff; color: #344054; border-color: #d0d5dd; } .btn-quiet:hover { background: #f9fafb; }
.btn-danger { background: #fff; color: #b42318; border-color: #fda29b; } .btn-danger:hover { background: #fef3f2; }
.btn[disabled] { opacity: .45; cursor: not-allowed; }
.buttons { display: inline-flex; gap: 6px; }
.pager { display: flex; gap: 10px; align-items: center; justify-content: flex-end; margin: -4px 0 16px; } .count { color: var(--muted); margin-right: auto; }
a.sort { color: inherit; } a.sort.sorted-desc::after { content: " ↓"; } a.sort.sorted-asc::after { content: " ↑"; }
.back { display: inline-block; margin-bottom: 10px; color: var(--muted); }
.detail-head { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; margin-bottom: 14px; }
.detail-head h1 { font-size: 20px; } .detail-head .buttons { margin-left: auto; }
table.findings td.path { min-width: 170px; }
.page.detail > .hint { margin: -6px 0 12px; }
.recommendation { margin: 10px 0 0; padding: 8px 12px; background: #f0f9ff; border: 1px solid #b9e6fe; border-radius: 8px; font-size: 12.5px; color: #026aa2; }
.hint { color: var(--muted); font-size: 12.5px; margin: 8px 0 0; } .empty { color: var(--muted); margin: 0; padding: 12px 10px; }
.notice { background: #fffaeb; border: 1px solid #fedf89; color: #93370d; padding: 10px 14px; border-radius: 8px; }
dl.facts { display: grid; grid-template-columns: 140px 1fr; gap: 6px 12px; margin: 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; min-width: 0; }
.chip { margin-right: 4px; } ul.plain { list-style: none; padding: 0; margin: 0; }
ol.events { list-style: none; padding: 0; margin: 12px 0 0; border-left: 2px solid var(--line); }
ol.events li { padding: 2px 0 2px 12px; position: relative; font-size: 12.5px; }
article.finding { border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; margin-bottom: 12px; background: var(--panel); }
article.finding header { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
article.finding h3 { margin: 0; font-size: 15px; } .confidence { color: var(--muted); font-size: 12px; margin-left: auto; }
.summary { font-size: 14px; margin: 10px 0; }
ul.evidence { margin: 10px 0 0; padding: 10px 14px 10px 30px; background: #fafbfc; border-radius: 8px; }
ul.evidence li { margin: 3px 0; } ul.evidence li.over { color: #b42318; }
.toasts { position: fixed; right: 20px; bottom: 20px; display: flex; flex-direction: column; gap: 8px; z-index: 10; }
.toast { background: #101828; color: #fff; padding: 10px 14px; border-radius: 8px; box-shadow: var(--shadow); max-width: 420px; }
.toast-error { background: #b42318; }
.login { max-width: 420px; margin: 60px auto; } .login form { display: flex; gap: 8px; } .login input { flex: 1; padding: 7px 10px; border: 1px solid #d0d5dd; border-radius: 8px; font: inherit; }
.loading { color: var(--muted); }
.error h2 { color: var(--bad); }
`;
