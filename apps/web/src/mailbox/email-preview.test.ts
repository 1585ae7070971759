import { describe, expect, it } from 'vitest';
import { previewDocument } from './email-preview.js';

const HEAD = '<base target="_blank"><link rel="stylesheet" href="/mail-preview.css">';

/** Shaped like the gateway's digest template: inline styles everywhere, a title, a table of items. */
const DIGEST = `<!doctype html>
<html>
  <head>
    <meta charset="utf-8" />
    <title>2 new notifications</title>
  </head>
  <body style="font-family:system-ui,sans-serif;max-width:560px">
    <h1 style="font-size:18px">You have 2 new notifications</h1>
    <table role="presentation" style="width:100%;border-collapse:collapse">
      <tr>
        <td style="padding:12px 0;border-bottom:1px solid #e5e7eb">
          <a href="http://localhost:3000/" style="color:#111827;font-weight:600">Build &lt;#482&gt; passed</a>
          <div style="color:#374151;margin-top:4px">main is green again.</div>
        </td>
      </tr>
    </table>
  </body>
</html>`;

describe('previewDocument', () => {
  it('drops every inline style of the template, keeps the rest, and adds the stylesheet to its head', () => {
    const preview = previewDocument(DIGEST);
    expect(preview).not.toMatch(/\sstyle=/);
    expect(preview).toContain(`<head>${HEAD}`);
    expect(preview.startsWith('<!doctype html>')).toBe(true);
    expect(preview).toContain('<table role="presentation">');
    expect(preview).toContain('<a href="http://localhost:3000/">Build &lt;#482&gt; passed</a>');
    expect(preview).toContain('<meta charset="utf-8">');
    expect(preview).toContain('<title>2 new notifications</title>');
    expect(preview).toContain('<h1>You have 2 new notifications</h1>');
  });

  it('drops style attributes however they are written, and nothing else', () => {
    expect(previewDocument(`<p data-style="x" STYLE='a:b' class=c style=d:e title="a>b">t</p>`)).toBe(
      `${HEAD}<p data-style="x" class=c title="a>b">t</p>`,
    );
    expect(previewDocument('<br style="x"/><img src="data:," style = "x" alt="">')).toBe(
      `${HEAD}<br><img src="data:," alt="">`,
    );
  });

  it('drops what the policy blocks: style and script elements with their content, links, bases, http-equiv', () => {
    const html =
      '<html><head><meta http-equiv="refresh" content="0;url=https://example.com"><meta charset="utf-8">' +
      '<style>p { color: red }</style><link rel="stylesheet" href="https://cdn.example.com/x.css">' +
      '<base href="https://example.com/"><SCRIPT type="text/javascript">if (a < b) alert("</p>")</SCRIPT>' +
      '</head><body><p>kept</p><script>x()</script></body></html>';
    expect(previewDocument(html)).toBe(
      `<html><head>${HEAD}<meta charset="utf-8"></head><body><p>kept</p></body></html>`,
    );
  });

  it('leaves text, comments and the content of raw-text elements as written', () => {
    const text = '<p>set style=bold and 1 < 2</p><!-- <p style="x"> --><title><b style="x"></title>';
    expect(previewDocument(text)).toBe(`${HEAD}${text}`);
    expect(previewDocument('<textarea><i style="x"></textarea><i style="y">')).toBe(
      `${HEAD}<textarea><i style="x"></textarea><i>`,
    );
  });

  it('treats noscript as markup, which it is where no script runs', () => {
    expect(previewDocument('<noscript><p style="x">on</p></noscript>')).toBe(`${HEAD}<noscript><p>on</p></noscript>`);
  });

  it('puts the stylesheet after a doctype when there is no head, else first', () => {
    expect(previewDocument('<!DOCTYPE html><p>hi</p>')).toBe(`<!DOCTYPE html>${HEAD}<p>hi</p>`);
    expect(previewDocument('<p>hi</p>')).toBe(`${HEAD}<p>hi</p>`);
    expect(previewDocument('')).toBe(HEAD);
  });

  it('ends on a cut-off document without losing what came before', () => {
    expect(previewDocument('<p>a</p><a href="x" style="y"')).toBe(`${HEAD}<p>a</p><a href="x">`);
    expect(previewDocument('<p>a<style>b')).toBe(`${HEAD}<p>a`);
    expect(previewDocument('<p>a<!-- b')).toBe(`${HEAD}<p>a<!-- b`);
  });
});
