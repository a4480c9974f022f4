import { attrAllowed, type Child, safeUrl, type VNode } from '../../../shared/console/view/vnode.js';
import { showInvisible } from '../../../shared/text/visible.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction']);

/**
 * View tree -> DOM. Strings become text nodes (never parsed as HTML), attribute names are checked against the
 * same allow-list as the HTML renderer, URLs are limited to in-page and same-origin API links, and listeners are
 * attached as functions (no inline handlers, which the CSP would refuse anyway).
 */
export function toDom(child: Child, svg = false): Node[] {
  if (child === null || child === undefined || child === false) return [];
  if (typeof child === 'string' || typeof child === 'number')
    return [document.createTextNode(showInvisible(String(child)))];
  if (Array.isArray(child)) return (child as readonly Child[]).flatMap((c) => toDom(c, svg));
  const node = child as VNode;
  const inSvg = svg || node.tag === 'svg';
  const el = inSvg ? document.createElementNS(SVG_NS, node.tag) : document.createElement(node.tag);
  for (const [name, value] of Object.entries(node.attrs)) {
    if (value === undefined || value === false || !attrAllowed(name)) continue;
    const text = value === true ? '' : String(value);
    el.setAttribute(name, URL_ATTRS.has(name) ? safeUrl(text) : text);
  }
  for (const [event, listener] of Object.entries(node.on ?? {})) el.addEventListener(event, listener);
  for (const c of node.children) for (const n of toDom(c, inSvg && node.tag !== 'foreignObject')) el.appendChild(n);
  return [el];
}

export function mount(target: Element, child: Child): void {
  target.replaceChildren(...toDom(child));
}
