/** Styles the preview in place of the email's own inline ones (served from `public/`, this page's origin). */
export const PREVIEW_STYLESHEET = '/mail-preview.css';

/** What the preview adds to the email's head: this origin's stylesheet, and links that open nowhere. */
const PREVIEW_HEAD = `<base target="_blank"><link rel="stylesheet" href="${PREVIEW_STYLESHEET}">`;

/** Elements dropped with their content: under the page's policy they would not run or apply. */
const DROPPED_WITH_CONTENT = new Set(['script', 'style']);
/**
 * Elements whose content is text up to their end tag, never tags (kept as written). Not `noscript`: the sandbox
 * runs no script, so its content is markup.
 */
const RAW_TEXT = new Set(['title', 'textarea', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext']);

const TAG_NAME = /[A-Za-z][^\s/>]*/y;
const ATTRIBUTE = /[\s/]*([^\s/>=][^\s/>=]*)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?/y;

/** The match of sticky `pattern` at `at` in `text`, or null. */
function matchAt(pattern: RegExp, text: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(text);
}

interface StartTag {
  /** As written. */
  name: string;
  /** Each attribute as written, with its name in lower case. */
  attributes: { name: string; source: string }[];
  /** Where the tag ends (after its `>`, or the end of the text). */
  end: number;
}

/** Reads the start tag at `at` (`html[at]` is `<`, a letter follows). */
function readStartTag(html: string, at: number): StartTag {
  const name = matchAt(TAG_NAME, html, at + 1)![0];
  let i = at + 1 + name.length;
  const attributes: StartTag['attributes'] = [];
  for (let match = matchAt(ATTRIBUTE, html, i); match; match = matchAt(ATTRIBUTE, html, i)) {
    attributes.push({ name: match[1]!.toLowerCase(), source: match[0].replace(/^[\s/]+/, '') });
    i += match[0].length;
  }
  const close = html.indexOf('>', i);
  return { name, attributes, end: close === -1 ? html.length : close + 1 };
}

/** Where the end tag of raw-text element `name` begins at or after `from` (the end of the text when none). */
function endTagOf(html: string, name: string, from: number): number {
  const pattern = new RegExp(`</${name}[\\s/>]`, 'gi');
  pattern.lastIndex = from;
  return pattern.exec(html)?.index ?? html.length;
}

/**
 * An email's HTML as the document of a sandboxed preview frame (`sandbox=""`: nothing in it runs, whatever it
 * holds). A `srcdoc` frame lives under this page's Content-Security-Policy, which applies no inline style and runs
 * no inline script, and reports each one it blocks; so what it would block is taken out instead (style attributes,
 * `<style>`, `<script>`, `<link>`, `<base>`, `<meta http-equiv>`), and a stylesheet of this origin styles the rest.
 * Links open nowhere: the sandbox opens no window, and `<base target>` keeps them from navigating the frame.
 *
 * It works on the text, tag by tag: parsing it into a DOM in this page already reports every inline style to the
 * policy. Comments, text and the content of `<title>` and the like are kept as written.
 */
export function previewDocument(html: string): string {
  let out = '';
  let headAt = -1;
  let doctypeEnd = -1;
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      out += html.slice(i);
      break;
    }
    out += html.slice(i, lt);
    const rest = html.slice(lt, lt + 4);
    if (rest.startsWith('<!--')) {
      const close = html.indexOf('-->', lt + 4);
      const end = close === -1 ? html.length : close + 3;
      out += html.slice(lt, end);
      i = end;
    } else if (rest.startsWith('<!') || rest.startsWith('<?') || /^<\/[A-Za-z]/.test(rest)) {
      // A doctype, a bogus comment or an end tag: as written.
      const close = html.indexOf('>', lt);
      const end = close === -1 ? html.length : close + 1;
      if (/^<!doctype/i.test(html.slice(lt, lt + 9)) && out.trim() === '') doctypeEnd = out.length + end - lt;
      out += html.slice(lt, end);
      i = end;
    } else if (/^<[A-Za-z]/.test(rest)) {
      const tag = readStartTag(html, lt);
      const name = tag.name.toLowerCase();
      i = tag.end;
      if (DROPPED_WITH_CONTENT.has(name)) {
        const close = endTagOf(html, name, i);
        const after = html.indexOf('>', close);
        i = close === html.length || after === -1 ? html.length : after + 1;
        continue;
      }
      const httpEquiv = name === 'meta' && tag.attributes.some((a) => a.name === 'http-equiv');
      if (name === 'link' || name === 'base' || httpEquiv) continue;
      const kept = tag.attributes.filter((a) => a.name !== 'style').map((a) => ` ${a.source}`);
      out += `<${tag.name}${kept.join('')}>`;
      if (name === 'head' && headAt === -1) headAt = out.length;
      if (RAW_TEXT.has(name)) {
        const close = endTagOf(html, name, i);
        out += html.slice(i, close);
        i = close;
      }
    } else {
      // A `<` that starts no tag is text.
      out += '<';
      i = lt + 1;
    }
  }
  const at = headAt !== -1 ? headAt : Math.max(doctypeEnd, 0);
  return out.slice(0, at) + PREVIEW_HEAD + out.slice(at);
}
