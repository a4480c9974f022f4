/**
 * The Lantern console in the browser: hash routes, one fetch per view, rendering through the shared views
 * (shared/console/view). The page holds no data of its own: every list is filtered, sorted and paged by the API.
 */
import type { EndpointDetail, EntityDetail, FindingView, Overview } from '../../../shared/console/details.js';
import { findingTypeName } from '../../../shared/console/evidence.js';
import type { ActionRow, AuditRow, EndpointRow, EntityRow, FindingRow } from '../../../shared/console/rows.js';
import {
  actionsTable,
  auditTable,
  type Controls,
  endpointDetailView,
  endpointTable,
  entityDetailView,
  entityTable,
  findingCard,
  findingTable,
  type Links,
  overviewView,
} from '../../../shared/console/view/pages.js';
import { type Child, h } from '../../../shared/console/view/vnode.js';
import { authorization, forgetToken, initAuth, setLocalToken, signIn, usesCognito } from './auth.js';
import { mount } from './dom.js';

interface ListPage<R> {
  items: R[];
  total: number;
  cursor?: string;
  sort: string;
  order: 'asc' | 'desc';
  facets?: Record<string, Array<{ value: string; count: number }>>;
}

interface Session {
  actor: string;
  actions: boolean;
  now: number;
}

const app = document.getElementById('app') as HTMLElement;
const toasts = document.getElementById('toasts') as HTMLElement;
let session: Session | undefined;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const auth = authorization();
  if (auth) headers.authorization = auth;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    credentials: 'same-origin',
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!response.ok) {
    const message =
      typeof body === 'object' && body !== null && 'error' in body
        ? String((body as { error: unknown }).error)
        : `HTTP ${response.status}`;
    throw new HttpError(response.status, message);
  }
  return body as T;
}

function toast(message: string, kind: 'ok' | 'error' = 'ok'): void {
  const el = document.createElement('div');
  el.className = `toast toast-${kind}`;
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  el.textContent = message;
  toasts.appendChild(el);
  setTimeout(() => el.remove(), 6000);
}

// ---- routing ---------------------------------------------------------------------------------------------

interface Route {
  name: string;
  params: URLSearchParams;
}

function currentRoute(): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  const q = hash.indexOf('?');
  const name = (q < 0 ? hash : hash.slice(0, q)) || 'overview';
  return { name, params: new URLSearchParams(q < 0 ? '' : hash.slice(q + 1)) };
}

function go(name: string, params?: URLSearchParams): void {
  const query = params?.toString();
  location.hash = `#/${name}${query ? `?${query}` : ''}`;
}

const withParam = (name: string, params: URLSearchParams, changes: Record<string, string | undefined>): string => {
  const next = new URLSearchParams(params);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') next.delete(k);
    else next.set(k, v);
  }
  next.delete('cursor');
  const query = next.toString();
  return `#/${name}${query ? `?${query}` : ''}`;
};

const links: Links = {
  endpoint: (id) => `#/endpoint?id=${encodeURIComponent(id)}`,
  entity: (key) => (key.includes(':') ? `#/entity?id=${encodeURIComponent(key)}` : undefined),
  finding: (id) => `#/finding?id=${encodeURIComponent(id)}`,
};

// ---- actions ---------------------------------------------------------------------------------------------

async function runAction(path: string, body: Record<string, unknown>, done: string): Promise<void> {
  try {
    const outcome = await api<{ message?: string }>(path, { method: 'POST', body });
    toast(outcome.message ?? done);
    await render();
  } catch (error: unknown) {
    if (error instanceof HttpError && error.status === 501) toast(`Not available: ${error.message}`, 'error');
    else toast(error instanceof Error ? error.message : String(error), 'error');
  }
}

function button(label: string, cls: string, onClick: () => void, title?: string): Child {
  return h(
    'button',
    {
      type: 'button',
      class: `btn ${cls}`,
      title,
      disabled: session?.actions === false ? true : undefined,
      on: { click: onClick },
    },
    label,
  );
}

function controls(route: Route): Controls {
  return {
    finding: (f) => [
      f.status === 'open'
        ? button(
            'Acknowledge',
            'btn-quiet',
            () => void runAction('/api/findings/acknowledge', { id: f.id }, 'Acknowledged.'),
          )
        : null,
      f.status !== 'resolved'
        ? button('Resolve', 'btn-quiet', () => void runAction('/api/findings/resolve', { id: f.id }, 'Resolved.'))
        : null,
    ],
    action: (a) =>
      a.active
        ? [
            button(
              'Unblock',
              'btn-danger',
              () => void runAction('/api/actions/unblock', { id: a.id }, 'Unblocked.'),
              'Lift it now, through the response policy',
            ),
            button(
              'Extend 1 h',
              'btn-quiet',
              () => void runAction('/api/actions/extend', { id: a.id, ms: 3_600_000 }, 'Extended.'),
            ),
          ]
        : null,
    entity: (e) =>
      button(
        'Allowlist',
        'btn-quiet',
        () => void runAction('/api/entities/allowlist', { id: e.id }, 'Allowlisted.'),
        'Never act on this caller again',
      ),
    sortHeader: (key, label) => {
      const sorted = route.params.get('sort') === key;
      const order = sorted && route.params.get('order') === 'desc' ? 'asc' : 'desc';
      return h(
        'a',
        {
          href: withParam(route.name, route.params, { sort: key, order }),
          class: `sort${sorted ? ` sorted-${route.params.get('order') ?? 'desc'}` : ''}`,
        },
        label,
      );
    },
  };
}

// ---- views -----------------------------------------------------------------------------------------------

function pager(route: Route, page: ListPage<unknown>): Child {
  const offset = Math.max(0, Number(route.params.get('offset') ?? 0) || 0);
  const from = page.total === 0 ? 0 : offset + 1;
  const to = offset + page.items.length;
  return h(
    'div',
    { class: 'pager' },
    h(
      'span',
      { class: 'count' },
      `${from.toLocaleString('en-US')}–${to.toLocaleString('en-US')} of ${page.total.toLocaleString('en-US')}`,
    ),
    offset > 0
      ? h('button', { type: 'button', class: 'btn btn-quiet', on: { click: () => history.back() } }, '← Previous')
      : null,
    page.cursor
      ? h(
          'button',
          {
            type: 'button',
            class: 'btn btn-quiet',
            on: {
              click: () => {
                const next = new URLSearchParams(route.params);
                next.set('cursor', page.cursor as string);
                next.set('offset', String(to));
                go(route.name, next);
              },
            },
          },
          'Next →',
        )
      : null,
  );
}

function apiQuery(params: URLSearchParams): string {
  const q = new URLSearchParams(params);
  q.delete('offset');
  return q.toString();
}

function searchBox(route: Route, placeholder: string): Child {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return h('input', {
    type: 'search',
    class: 'search',
    placeholder,
    value: route.params.get('q') ?? '',
    'aria-label': placeholder,
    on: {
      input: (event) => {
        const value = (event.target as HTMLInputElement).value;
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          location.replace(withParam(route.name, route.params, { q: value }));
        }, 250);
      },
    },
  });
}

function chips(
  route: Route,
  name: string,
  facets: Array<{ value: string; count: number }> | undefined,
  fixed?: string[],
  labels: Record<string, string> = {},
): Child {
  const selected = route.params.get(name) ?? '';
  const values = fixed ?? (facets ?? []).map((f) => f.value);
  const count = (v: string) => facets?.find((f) => f.value === v)?.count;
  return h(
    'div',
    { class: 'chips', role: 'group', 'aria-label': name },
    h(
      'a',
      {
        href: withParam(route.name, route.params, { [name]: undefined }),
        class: `chip${selected === '' ? ' on' : ''}`,
      },
      'all',
    ),
    values.map((v) =>
      h(
        'a',
        {
          href: withParam(route.name, route.params, { [name]: v }),
          class: `chip chip-${/^[a-z]+$/.test(v) ? v : 'x'}${selected === v ? ' on' : ''}`,
        },
        labels[v] ?? v,
        count(v) !== undefined ? h('span', { class: 'n' }, String(count(v))) : null,
      ),
    ),
  );
}

async function download(path: string, filename: string): Promise<void> {
  try {
    const headers: Record<string, string> = {};
    const auth = authorization();
    if (auth) headers.authorization = auth;
    const response = await fetch(path, { headers });
    if (!response.ok) throw new Error(`export failed: HTTP ${response.status}`);
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  } catch (error: unknown) {
    toast(error instanceof Error ? error.message : String(error), 'error');
  }
}

function title(text: string, ...rest: Child[]): Child {
  document.title = `${text} · Lantern`;
  return h('div', { class: 'page-head' }, h('h1', {}, text), ...rest);
}

async function overviewPage(_route: Route): Promise<Child> {
  const o = await api<Overview>('/api/overview');
  return [
    title(
      'Overview',
      h(
        'span',
        { class: 'sub' },
        o.analysed?.to ? `data up to ${new Date(o.analysed.to).toISOString().replace('T', ' ').slice(0, 16)} UTC` : '',
      ),
    ),
    overviewView(o, links),
  ];
}

async function inventoryPage(route: Route): Promise<Child> {
  const page = await api<ListPage<EndpointRow>>(`/api/endpoints?${apiQuery(route.params)}`);
  const exportQuery = new URLSearchParams(route.params);
  for (const k of ['cursor', 'offset', 'limit']) exportQuery.delete(k);
  return [
    title(
      'Inventory',
      h(
        'div',
        { class: 'head-actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'btn btn-quiet',
            on: { click: () => void download(`/api/endpoints.csv?${exportQuery}`, 'lantern-inventory.csv') },
          },
          'Export CSV',
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'btn btn-quiet',
            on: { click: () => void download(`/api/endpoints.openapi.json?${exportQuery}`, 'lantern-openapi.json') },
          },
          'Export OpenAPI',
        ),
      ),
    ),
    h(
      'div',
      { class: 'toolbar' },
      searchBox(route, 'Search host, method or path'),
      chips(route, 'classification', page.facets?.classification, ['managed', 'shadow', 'zombie', 'unknown']),
      chips(route, 'flag', undefined, ['sensitive', 'unauthenticated']),
      chips(route, 'method', page.facets?.method),
    ),
    h(
      'section',
      { class: 'card flush' },
      endpointTable(page.items, session?.now ?? Date.now(), links, controls(route)),
    ),
    pager(route, page),
  ];
}

async function endpointPage(route: Route): Promise<Child> {
  const d = await api<EndpointDetail>(`/api/endpoint?id=${encodeURIComponent(route.params.get('id') ?? '')}`);
  document.title = `${d.endpoint.method} ${d.endpoint.path} · Lantern`;
  return [
    h('a', { href: '#/inventory', class: 'back' }, '← Inventory'),
    endpointDetailView(d, session?.now ?? Date.now(), links, controls(route)),
  ];
}

async function entitiesPage(route: Route): Promise<Child> {
  const page = await api<ListPage<EntityRow>>(`/api/entities?${apiQuery(route.params)}`);
  return [
    title('Callers', h('span', { class: 'sub' }, 'ranked by risk')),
    h(
      'div',
      { class: 'toolbar' },
      searchBox(route, 'Search caller or user agent'),
      chips(route, 'type', page.facets?.type, ['principal', 'api-key', 'session', 'ip']),
      chips(route, 'risk', undefined, ['high', 'medium', 'low'], {
        high: 'risk ≥ 70',
        medium: 'risk 30–69',
        low: 'risk 1–29',
      }),
    ),
    h('section', { class: 'card flush' }, entityTable(page.items, session?.now ?? Date.now(), links, controls(route))),
    pager(route, page),
  ];
}

async function entityPage(route: Route): Promise<Child> {
  const d = await api<EntityDetail>(`/api/entity?id=${encodeURIComponent(route.params.get('id') ?? '')}`);
  document.title = `${d.entity.type} ${d.entity.name} · Lantern`;
  return [
    h('a', { href: '#/entities', class: 'back' }, '← Callers'),
    entityDetailView(d, session?.now ?? Date.now(), links, controls(route)),
  ];
}

async function findingsPage(route: Route): Promise<Child> {
  const page = await api<ListPage<FindingRow>>(`/api/findings?${apiQuery(route.params)}`);
  const now = session?.now ?? Date.now();
  return [
    title('Findings'),
    h(
      'div',
      { class: 'toolbar' },
      searchBox(route, 'Search findings'),
      chips(route, 'status', page.facets?.status, ['open', 'acknowledged', 'resolved']),
      chips(route, 'severity', page.facets?.severity, ['critical', 'high', 'medium', 'low']),
    ),
    page.items.length === 0
      ? h('section', { class: 'card' }, h('p', { class: 'empty' }, 'No findings match.'))
      : h('section', { class: 'card flush' }, findingTable(page.items, now, links, controls(route))),
    pager(route, page),
  ];
}

async function findingPage(route: Route): Promise<Child> {
  const f = await api<FindingView>(`/api/finding?id=${encodeURIComponent(route.params.get('id') ?? '')}`);
  document.title = `${findingTypeName(f.type)} · Lantern`;
  const now = session?.now ?? Date.now();
  const [actions, audit] = await Promise.all([
    api<ListPage<ActionRow>>(`/api/actions?q=${encodeURIComponent(f.id)}&limit=20`),
    api<ListPage<AuditRow>>(`/api/audit?q=${encodeURIComponent(f.id)}&limit=50`),
  ]);
  return [
    h('a', { href: '#/findings', class: 'back' }, '← Findings'),
    findingCard(f, now, links, controls(route)),
    h('section', { class: 'card' }, h('h2', {}, 'Actions taken'), actionsTable(actions.items, now, controls(route))),
    h('section', { class: 'card' }, h('h2', {}, 'Audit trail'), auditTable(audit.items)),
  ];
}

async function actionsPage(route: Route): Promise<Child> {
  const params = new URLSearchParams(route.params);
  const [actions, audit] = await Promise.all([
    api<ListPage<ActionRow>>(`/api/actions?${apiQuery(params)}`),
    api<ListPage<AuditRow>>('/api/audit?limit=100'),
  ]);
  const now = session?.now ?? Date.now();
  return [
    title('Actions and audit trail'),
    h(
      'div',
      { class: 'toolbar' },
      searchBox(route, 'Search actions'),
      chips(route, 'active', undefined, ['true', 'false'], { true: 'active', false: 'ended' }),
    ),
    session?.actions === false
      ? h(
          'p',
          { class: 'notice' },
          'This console was started without the response module: unblock, extend and allowlist are not available.',
        )
      : null,
    h('section', { class: 'card flush' }, actionsTable(actions.items, now, controls(route))),
    pager(route, actions),
    h('section', { class: 'card' }, h('h2', {}, 'Audit trail'), auditTable(audit.items)),
  ];
}

const PAGES: Record<string, { nav?: string; view: (route: Route) => Promise<Child> }> = {
  overview: { nav: 'overview', view: overviewPage },
  inventory: { nav: 'inventory', view: inventoryPage },
  endpoint: { nav: 'inventory', view: endpointPage },
  entities: { nav: 'entities', view: entitiesPage },
  entity: { nav: 'entities', view: entityPage },
  findings: { nav: 'findings', view: findingsPage },
  finding: { nav: 'findings', view: findingPage },
  actions: { nav: 'actions', view: actionsPage },
};

function loginView(message: string): Child {
  return h(
    'section',
    { class: 'card login' },
    h('h1', {}, 'Sign in'),
    h('p', {}, message),
    h(
      'form',
      {
        on: {
          submit: (event) => {
            event.preventDefault();
            const input = (event.target as HTMLFormElement).querySelector('input');
            if (input?.value) setLocalToken(input.value);
            void render();
          },
        },
      },
      h('input', {
        type: 'password',
        name: 'token',
        placeholder: 'Console token',
        autocomplete: 'off',
        'aria-label': 'Console token',
      }),
      h('button', { type: 'submit', class: 'btn' }, 'Open the console'),
    ),
  );
}

let renderSeq = 0;

async function render(): Promise<void> {
  const seq = ++renderSeq;
  const route = currentRoute();
  const page = PAGES[route.name] ?? PAGES.overview;
  document.querySelectorAll('nav a[data-nav]').forEach((a) => {
    a.classList.toggle('active', a.getAttribute('data-nav') === page?.nav);
  });
  app.setAttribute('aria-busy', 'true');
  try {
    session ??= await api<Session>('/api/session');
    const view = await (page as (typeof PAGES)[string]).view(route);
    if (seq !== renderSeq) return;
    mount(app, view);
    const who = document.getElementById('who');
    if (who) who.textContent = session.actor;
  } catch (error: unknown) {
    if (seq !== renderSeq) return;
    if (error instanceof HttpError && error.status === 401) {
      session = undefined;
      forgetToken();
      if (usesCognito()) {
        await signIn();
        return;
      }
      mount(app, loginView('Paste the token the console printed when it started (or open the link it printed).'));
    } else {
      mount(
        app,
        h(
          'section',
          { class: 'card error' },
          h('h2', {}, 'Something went wrong'),
          h('p', {}, error instanceof Error ? error.message : String(error)),
        ),
      );
    }
  } finally {
    if (seq === renderSeq) app.setAttribute('aria-busy', 'false');
  }
}

async function start(): Promise<void> {
  await initAuth();
  window.addEventListener('hashchange', () => void render());
  await render();
}

void start();
