// What the attachment changes in a distribution config (pure: tested in test/infra/attach-distribution.test.ts).
// attach: set `realtimeArns[0]` on every cache behaviour (replacing only values in `realtimeArns`, i.e. ours, old or
// new) and `webAclArns[0]` as the WebACL; detach: remove only values that are ours. Returns whether anything changed;
// throws when a behaviour or the distribution already uses someone else's configuration.
function behaviours(config) {
  return [config.DefaultCacheBehavior, ...(config.CacheBehaviors?.Items ?? [])].filter(Boolean);
}

export function plan(config, { attach, realtimeArns, webAclArns }) {
  const ours = new Set(realtimeArns);
  const target = realtimeArns[0];
  let changed = false;
  for (const b of behaviours(config)) {
    const current = b.RealtimeLogConfigArn || '';
    if (attach) {
      if (current === target) continue;
      if (current !== '' && !ours.has(current)) {
        throw new Error(
          `cache behaviour "${b.PathPattern ?? 'default'}" already sends real-time logs to ${current}; detach it or use attachment "manual"`,
        );
      }
      b.RealtimeLogConfigArn = target;
      changed = true;
    } else if (current !== '' && ours.has(current)) {
      delete b.RealtimeLogConfigArn;
      changed = true;
    }
  }
  if (webAclArns.length > 0) {
    const current = config.WebACLId || '';
    if (attach) {
      if (current !== webAclArns[0]) {
        if (current !== '' && !webAclArns.includes(current))
          throw new Error(`the distribution already has the WebACL ${current}; add Lantern's rule group to it instead`);
        config.WebACLId = webAclArns[0];
        changed = true;
      }
    } else if (current !== '' && webAclArns.includes(current)) {
      config.WebACLId = '';
      changed = true;
    }
  }
  return changed;
}
