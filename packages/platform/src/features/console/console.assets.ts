// The console's stylesheet and script, served by the platform itself (nothing is loaded from
// elsewhere). The script does two small things: the live chart on the overview, and refreshing the
// request journal's rows while "live" is ticked. Everything else is plain forms and links.

export const CSS = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa; --accent: #07c160; --err: #cf222e;
  --send: #0969da; font-family: system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei",
  sans-serif; color: var(--fg); }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; font-size: 15px; line-height: 1.45; }
small, .en { color: var(--muted); font-weight: normal; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 24px; padding: 10px 20px;
  background: #24292f; color: #fff; }
header.top a, header.top button.link { color: #e6edf3; text-decoration: none; }
header.top small { color: #9ba7b4; }
.brand { font-weight: 700; font-size: 17px; white-space: nowrap; }
.brand span { font-weight: 400; color: #9ba7b4; }
nav { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 14px; flex: 1; }
nav a { padding: 3px 0; border-bottom: 2px solid transparent; white-space: nowrap; }
nav a.current { border-bottom-color: var(--accent); }
nav form.logout { margin-left: auto; display: flex; }
button.link { background: none; border: 0; border-bottom: 2px solid transparent; border-radius: 0; padding: 3px 0; font: inherit; cursor: pointer; line-height: inherit; }
button small, button .en { color: #e6f4ea; }
button.danger small, button.danger .en { color: var(--err); }
button.secondary small, button.secondary .en { color: var(--muted); }
section.card > h2:first-child { margin-top: 2px; }
main { max-width: 1180px; margin: 0 auto; padding: 12px 20px 40px; }
h1 { font-size: 22px; margin: 10px 0 14px; }
h2 { font-size: 17px; margin: 26px 0 10px; }
section.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; margin: 14px 0; }
.notice { padding: 8px 12px; border-radius: 6px; background: var(--bg); border: 1px solid var(--line);
  overflow-wrap: anywhere; }
.notice.ok { background: #dafbe1; border-color: #4ac26b; }
.notice.error { background: #ffebe9; border-color: #ff8182; }
.notice.unavailable { background: #fff8c5; border-color: #d4a72c; }
.table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 8px; margin: 10px 0; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg); white-space: nowrap; font-weight: 600; }
tbody tr:last-child td { border-bottom: 0; }
td.empty { color: var(--muted); text-align: center; padding: 16px; }
.nowrap, .nowrap code { white-space: nowrap; overflow-wrap: normal; }
.two > div > h2:first-child { margin-top: 2px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px;
  overflow-wrap: anywhere; }
pre { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 10px; overflow-x: auto;
  white-space: pre-wrap; overflow-wrap: anywhere; font-size: 13px; }
.bar { position: relative; display: inline-block; width: 150px; height: 20px; background: #eaeef2;
  border-radius: 4px; overflow: hidden; vertical-align: middle; }
.bar .fill { position: absolute; inset: 0 auto 0 0; background: #8ddb8c; }
.bar .bar-text { position: relative; font-size: 12px; padding: 0 6px; line-height: 20px; white-space: nowrap; }
.state { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 13px; background: #eaeef2;
  white-space: nowrap; }
.state.running, .state.RUNNING, .state.SENDED, .state.DELIVERED, .state.ok { background: #dafbe1; }
.state.paused, .state.PAUSED, .state.PENDING, .state.unactivated, .state.UNAVAILABLE { background: #fff8c5; }
.state.stoped, .state.STOPED, .state.FAILED, .state.failed, .state.DEACTIVATED, .state.EXPIRED { background: #ffebe9; }
form.inline { display: inline-block; margin: 2px 4px 2px 0; }
form.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 10px 14px;
  align-items: end; }
form.grid label { display: flex; flex-direction: column; gap: 3px; font-size: 14px; }
input, select, button { font: inherit; font-size: 14px; }
input, select { padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; min-width: 0; width: 100%; }
input[type=checkbox] { width: auto; }
button { padding: 5px 12px; border: 1px solid #1f883d; background: #1f883d; color: #fff; border-radius: 6px;
  cursor: pointer; white-space: nowrap; }
button.danger { background: #fff; color: var(--err); border-color: var(--err); }
button.secondary { background: #fff; color: var(--fg); border-color: var(--line); }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.fields dt { color: var(--muted); }
dl.fields dd { margin: 0; overflow-wrap: anywhere; }
.chart-box { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.chart-box svg { width: 100%; height: 180px; display: block; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 14px; margin-bottom: 6px; }
.legend .sw { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 5px;
  vertical-align: -1px; }
.sw.send { background: var(--send); } .sw.error { background: var(--err); }
.login { max-width: 420px; margin: 24px auto; border: 1px solid var(--line); border-radius: 8px; padding: 6px 20px 18px; }
.login label { display: flex; flex-direction: column; gap: 4px; margin: 12px 0; }
.row { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 0 20px; }
@media (max-width: 700px) {
  header.top { padding: 8px 12px; flex-direction: column; align-items: stretch; gap: 6px; }
  nav { gap: 2px 14px; font-size: 14px; }
  main { padding: 8px 12px 32px; }
  h1 { font-size: 19px; }
  .two { grid-template-columns: 1fr; }
  dl.fields { grid-template-columns: 1fr; gap: 0; }
  dl.fields dd { margin-bottom: 6px; }
  .bar { width: 130px; }
  .chart-box svg { height: 150px; }
  table.stack thead { display: none; }
  table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; width: 100%; }
  table.stack tr { border-bottom: 1px solid var(--line); padding: 4px 0; }
  table.stack tbody tr:last-child { border-bottom: 0; }
  table.stack td { border: 0; padding: 2px 10px; }
  table.stack td::before { display: block; color: var(--muted); font-size: 12px; line-height: 16px; }
  table.stack td.empty { padding: 12px 10px; }
  table.stack td.empty::before { content: none !important; }
}
`;

export const JS = `
(function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';
  function el(name, attrs, text) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function drawChart(svg, data) {
    // Drawn in the element's own pixels, so the labels keep their shape at any width.
    var W = Math.max(200, svg.clientWidth), H = Math.max(100, svg.clientHeight), L = 34, R = 8, T = 10, B = 22;
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var n = data.sends.length;
    var max = 1;
    for (var i = 0; i < n; i++) max = Math.max(max, data.sends[i], data.errors[i]);
    var top = Math.max(1, Math.ceil(max * 1.15));
    var x = function (i) { return L + (W - L - R) * (n <= 1 ? 1 : i / (n - 1)); };
    var y = function (v) { return T + (H - T - B) * (1 - v / top); };
    [0, 0.5, 1].forEach(function (f) {
      var v = Math.round(top * f);
      svg.appendChild(el('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: '#d1d9e0', 'stroke-width': 1 }));
      svg.appendChild(el('text', { x: L - 5, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#59636e' },
        String(v)));
    });
    svg.appendChild(el('text', { x: L, y: H - 5, 'font-size': 11, fill: '#59636e' }, '-' + n + 's'));
    svg.appendChild(el('text', { x: W - R, y: H - 5, 'font-size': 11, fill: '#59636e', 'text-anchor': 'end' },
      'now'));
    [['sends', '#0969da'], ['errors', '#cf222e']].forEach(function (s) {
      var pts = data[s[0]].map(function (v, i) { return x(i).toFixed(1) + ',' + y(v).toFixed(1); }).join(' ');
      svg.appendChild(el('polyline', { points: pts, fill: 'none', stroke: s[1], 'stroke-width': 2,
        'stroke-linejoin': 'round', 'data-series': s[0] }));
    });
    svg.setAttribute('data-drawn', String(data.end));
  }
  function sum(a, from) { var t = 0; for (var i = from; i < a.length; i++) t += a[i]; return t; }
  function startChart(svg) {
    var seconds = Number(svg.getAttribute('data-seconds') || '120');
    var last;
    // Redrawn when its box changes width (window resized, phone turned).
    new ResizeObserver(function () { if (last) drawChart(svg, last); }).observe(svg);
    function tick() {
      fetch('/console/api/rates?seconds=' + seconds, { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (data) {
          last = data;
          drawChart(svg, data);
          var from = Math.max(0, data.sends.length - 11);
          var s = document.getElementById('rate-sends');
          var e = document.getElementById('rate-errors');
          // The last ten whole seconds (the current one is still filling).
          if (s) s.textContent = (sum(data.sends.slice(0, -1), from) / 10).toFixed(1);
          if (e) e.textContent = (sum(data.errors.slice(0, -1), from) / 10).toFixed(1);
        })
        .catch(function () {});
    }
    tick();
    setInterval(tick, 2000);
  }
  function startLive(table) {
    var box = document.getElementById('live');
    setInterval(function () {
      if (box && !box.checked) return;
      fetch(table.getAttribute('data-rows'), { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var tbody = table.querySelector('tbody');
          // The rows are rendered (and escaped) by the server, as the page itself is.
          if (tbody && tbody.innerHTML !== html) tbody.innerHTML = html;
        })
        .catch(function () {});
    }, 2000);
  }
  document.addEventListener('DOMContentLoaded', function () {
    var svg = document.getElementById('rate-chart');
    if (svg) startChart(svg);
    var table = document.querySelector('table[data-rows]');
    if (table) startLive(table);
  });
})();
`;
