/** The page's stylesheet: a file of its own, so the page runs under `style-src 'self'`. */
export const docsStylesheet = `:root { color-scheme: light dark; --fg: #1d232b; --muted: #5b6675; --line: #d9dee5; --bg: #fff; --code: #f2f4f7; --accent: #2458c6; }
@media (prefers-color-scheme: dark) { :root { --fg: #e4e8ee; --muted: #9aa5b4; --line: #333b46; --bg: #14181d; --code: #1f252d; --accent: #7aa7ff; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
header, main { max-width: 60rem; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 1.5rem; border-bottom: 1px solid var(--line); }
h1 { margin: 0 0 .25rem; font-size: 1.6rem; }
h2 { margin-top: 2.5rem; padding-bottom: .25rem; border-bottom: 2px solid var(--line); }
h3 { margin: 0 0 .25rem; font-size: 1.05rem; }
h4 { margin: .75rem 0 .25rem; font-size: .9rem; color: var(--muted); }
nav ul { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; padding: 0; list-style: none; }
a { color: var(--accent); }
code { font: .9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--code); padding: 0 .25em; border-radius: 3px; }
.item { margin: 1rem 0; padding: .75rem 1rem; border: 1px solid var(--line); border-radius: 6px; }
.item > p { margin: .25rem 0; }
.method { display: inline-block; min-width: 4.2em; font-size: .8rem; font-weight: 700; color: var(--accent); }
.who, .tag { color: var(--muted); font-size: .9rem; }
table { width: 100%; border-collapse: collapse; font-size: .9rem; margin: .25rem 0; }
th, td { text-align: left; vertical-align: top; padding: .25rem .5rem; border-top: 1px solid var(--line); }
th { color: var(--muted); font-weight: 600; }
td:first-child { white-space: nowrap; }
.errors { margin: .25rem 0; padding-left: 1.25rem; }
`;
