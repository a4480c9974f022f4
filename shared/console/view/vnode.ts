/**
 * A tiny view tree shared by the browser console and the HTML report: views build `VNode`s; the browser turns
 * them into DOM nodes (text always as text nodes), the report into escaped HTML. Nothing from a log ever becomes
 * markup: strings are children (text) or attribute values (escaped, set with setAttribute), never HTML.
 */
import { showInvisible } from '../../text/visible.js';

export type Child = VNode | string | number | null | undefined | false | readonly Child[];
export type AttrValue = string | number | boolean | undefined;

export interface VNode {
  tag: string;
  attrs: Record<string, AttrValue>;
  /** Browser only: event listeners (the HTML report has none). */
  on?: Record<string, (event: Event) => void>;
  children: Child[];
}

export type Attrs = { [name: string]: AttrValue | VNode['on']; on?: VNode['on'] };

export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): VNode {
  const { on, ...rest } = attrs;
  return { tag, attrs: rest as Record<string, AttrValue>, ...(on ? { on } : {}), children };
}

const VOID = new Set(['br', 'hr', 'img', 'input', 'meta', 'link', 'col', 'wbr']);
/** Attribute names views may set: fixed by code, never by data; anything else is dropped. */
const ATTR_NAME = /^(?:[a-z][a-z0-9-]*|viewBox|preserveAspectRatio|textLength|lengthAdjust)$/;
const URL_ATTRS = new Set(['href', 'src', 'action', 'xlink:href', 'formaction']);

/** Only in-page links and same-origin API paths: never `javascript:`, `data:` or another origin. */
export function safeUrl(value: string): string {
  return /^(?:#|\/api\/|\.\/|\?)/.test(value) && !/^\/\//.test(value) ? value : '#';
}

export function escapeHtml(text: string): string {
  return showInvisible(text).replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function attrAllowed(name: string): boolean {
  return ATTR_NAME.test(name) && !name.startsWith('on') && name !== 'style' && name !== 'srcdoc';
}

function renderAttrs(attrs: Record<string, AttrValue>): string {
  let out = '';
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false || !attrAllowed(name)) continue;
    if (value === true) {
      out += ` ${name}`;
      continue;
    }
    const text = URL_ATTRS.has(name) ? safeUrl(String(value)) : String(value);
    out += ` ${name}="${escapeHtml(text)}"`;
  }
  return out;
}

/** Escaped HTML of a tree (the HTML report). */
export function renderToString(child: Child): string {
  if (child === null || child === undefined || child === false) return '';
  if (typeof child === 'string') return escapeHtml(child);
  if (typeof child === 'number') return escapeHtml(String(child));
  if (Array.isArray(child)) return (child as readonly Child[]).map(renderToString).join('');
  const node = child as VNode;
  if (!/^[a-zA-Z][a-zA-Z0-9]*$/.test(node.tag)) return '';
  const open = `<${node.tag}${renderAttrs(node.attrs)}>`;
  if (VOID.has(node.tag)) return open;
  return `${open}${node.children.map(renderToString).join('')}</${node.tag}>`;
}
