// The console's stylesheet, served as /assets/app.css (a module rather than a .css file so that it
// ships inside dist/ with the rest of the host). No web fonts, no external URLs.
export const CONSOLE_CSS = `
:root {
  --bg: #f4f6f8; --panel: #fff; --ink: #1d2733; --muted: #5f6b7a; --line: #dde3ea;
  --accent: #0b63b6; --ok: #1a7f37; --warn: #a15c00; --bad: #c62828; --tx: #0b63b6; --rx: #8e44ad;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 14px; color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
header.top { display: flex; align-items: center; gap: 24px; padding: 0 24px; height: 52px; background: #14202e; color: #fff; }
header.top .brand { font-weight: 600; letter-spacing: .2px; }
header.top .brand small { font-weight: 400; color: #9fb3c8; margin-left: 8px; }
header.top nav { display: flex; gap: 4px; flex: 1; }
header.top nav a { color: #c8d6e5; text-decoration: none; padding: 8px 12px; border-radius: 6px; }
header.top nav a.active, header.top nav a:hover { background: #24364a; color: #fff; }
header.top button { background: transparent; border: 1px solid #4b627a; color: #dfe8f1; }
main { padding: 20px 24px 40px; max-width: 1400px; margin: 0 auto; }
h1 { font-size: 20px; margin: 4px 0 16px; }
h2 { font-size: 15px; margin: 0 0 12px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 16px; margin-bottom: 16px; }
.grid { display: grid; gap: 16px; }
.tiles { grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); margin-bottom: 16px; }
.charts { grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); }
.two { grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); }
.tile { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
.tile .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .5px; }
.tile .value { font-size: 26px; font-weight: 600; margin-top: 4px; font-variant-numeric: tabular-nums; }
.tile .sub { color: var(--muted); font-size: 12px; margin-top: 2px; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 7px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 500; font-size: 12px; white-space: nowrap; }
td.num, th.num { text-align: right; }
tr:last-child td { border-bottom: none; }
.empty { color: var(--muted); padding: 10px 0; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.badge.ok { background: #dff3e4; color: var(--ok); }
.badge.warn { background: #fff0d6; color: var(--warn); }
.badge.bad { background: #fde2e2; color: var(--bad); }
.badge.info { background: #e3eefb; color: var(--accent); }
.muted { color: var(--muted); }
.mono, code, textarea.pem { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.legend { display: flex; gap: 14px; font-size: 12px; color: var(--muted); margin-bottom: 6px; }
.legend i { display: inline-block; width: 10px; height: 3px; margin-right: 5px; vertical-align: middle; }
svg.chart { width: 100%; height: 120px; display: block; }
svg.chart .grid-line { stroke: var(--line); stroke-width: 1; }
svg.chart text { fill: var(--muted); font-size: 10px; }
form .row { display: flex; gap: 12px; flex-wrap: wrap; margin-bottom: 10px; }
form label { display: flex; flex-direction: column; gap: 4px; font-size: 12px; color: var(--muted); min-width: 200px; flex: 1; }
form label.check { flex-direction: row; align-items: center; min-width: 0; flex: 0; white-space: nowrap; }
input, select, textarea { font: inherit; color: var(--ink); padding: 7px 9px; border: 1px solid #c3ccd6; border-radius: 6px; background: #fff; }
input:focus, select:focus, textarea:focus { outline: 2px solid #9cc3ec; border-color: var(--accent); }
button { font: inherit; padding: 7px 14px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
button.danger { background: #fff; color: var(--bad); border-color: #e4a4a4; padding: 3px 10px; }
button:disabled { opacity: .6; cursor: default; }
a.button { display: inline-block; padding: 7px 14px; border-radius: 6px; border: 1px solid var(--accent); color: var(--accent); text-decoration: none; }
textarea.pem { width: 100%; height: 190px; resize: vertical; background: #f8fafc; }
.alert { border-radius: 6px; padding: 10px 12px; margin: 10px 0; border: 1px solid; }
.alert.error { background: #fdecec; border-color: #f3b4b4; color: #8a1c1c; }
.alert.success { background: #e7f6ec; border-color: #a9dbb7; color: #135c29; }
.alert.warning { background: #fff5e0; border-color: #f0cf8d; color: #7a4600; }
.alert code { font-weight: 600; margin-right: 6px; }
.login { max-width: 400px; margin: 90px auto; }
.login h1 { margin-bottom: 6px; }
.login p { color: var(--muted); margin-top: 0; }
.login form label { min-width: 0; }
.kv { display: grid; grid-template-columns: 160px 1fr; gap: 6px 12px; margin: 0 0 12px; }
.kv dt { color: var(--muted); }
.kv dd { margin: 0; word-break: break-all; }
.live { display: inline-flex; align-items: center; gap: 6px; font-size: 12px; color: var(--muted); }
.live::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: var(--ok); }
.live.off::before { background: var(--bad); }
.actions { display: flex; gap: 10px; align-items: center; margin-top: 8px; }
`;
