import { describe, expect, it } from 'vitest';
import { printable } from '../../../infra/cli/summary.js';
import { escapeHtml } from '../../../shared/console/view/vnode.js';
import { showInvisible } from '../../../shared/text/visible.js';

describe('showInvisible', () => {
  it('shows a right-to-left override, so a path reads as what it is', () => {
    expect(showInvisible('/invoice/\u202Egpj.exe')).toBe('/invoice/<U+202E>gpj.exe');
  });

  it('shows zero-width marks, the BOM, NUL and other controls, and leaves tab and newline alone', () => {
    expect(showInvisible('a\u200Bb\uFEFFc\u0000d\u001be\u0085f')).toBe(
      'a<U+200B>b<U+FEFF>c<U+0000>d<U+001B>e<U+0085>f',
    );
    expect(showInvisible('line\tone\nline two')).toBe('line\tone\nline two');
  });

  it('returns ordinary text unchanged, including non-Latin scripts', () => {
    for (const text of ['/users/42/orders', 'Ελληνικά', 'مرحبا', '日本語', 'emoji 🙂']) {
      expect(showInvisible(text)).toBe(text);
    }
  });
});

describe('where log text is shown', () => {
  it('the terminal summary keeps a value on its line and shows what is invisible', () => {
    expect(printable('/a\u202Eb\tc\nd\u001b[31m')).toBe('/a<U+202E>b<U+0009>c<U+000A>d<U+001B>[31m');
  });

  it('the HTML report and the console show format characters and still escape markup', () => {
    expect(escapeHtml('<b>\u202Etxt.exe</b>')).toBe('&#60;b&#62;&#60;U+202E&#62;txt.exe&#60;/b&#62;');
  });
});
