// Generated from Templates/report.html by Templates/generate.py: edit the template, then run
// `python3 Templates/generate.py`. A test checks that the two agree.

enum HTMLTemplate {
    static let text = ##"""
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="preflight {{version}}">
<title>{{title}}</title>
<script>
/* Page errors and blocked requests are written into the page, where a reader (and a test) sees them. */
window.preflightErrors = [];
window.addEventListener('error', function (e) { window.preflightErrors.push('error: ' + (e.message || 'unknown')); });
document.addEventListener('securitypolicyviolation', function (e) { window.preflightErrors.push('blocked: ' + e.blockedURI + ' (' + e.violatedDirective + ')'); });
</script>
<style>
:root { --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --paper: #fff; --band: #f5f7fa;
  --error: #c81e1e; --warning: #b45309; --info: #2563eb; --kept: #0e9f6e; --dropped: #e02424;
  --frame: #1c64f2; --declared: #d97706; --displayed: #7e3af2; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--band); }
header.top { background: #102a43; color: #f0f4f8; padding: 18px 28px; display: flex; align-items: center; gap: 18px; flex-wrap: wrap; }
header.top h1 { font-size: 20px; margin: 0; font-weight: 600; }
header.top .sub { color: #bcccdc; font-size: 13px; }
.verdict { font-weight: 700; padding: 4px 12px; border-radius: 4px; letter-spacing: .04em; }
.verdict.pass { background: #0e9f6e; color: #fff; }
.verdict.fail { background: #c81e1e; color: #fff; }
main { padding: 18px 28px 60px; max-width: 1500px; margin: 0 auto; }
section.panel { background: var(--paper); border: 1px solid var(--line); border-radius: 6px; padding: 14px 18px; margin: 0 0 18px; }
h2 { font-size: 16px; margin: 0 0 10px; }
h3 { font-size: 14px; margin: 0 0 6px; }
.summary { display: grid; grid-template-columns: repeat(auto-fit, minmax(330px, 1fr)); gap: 14px; }
.summary dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
.summary dt { color: var(--muted); }
.summary dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
a { color: #1a56db; text-decoration: none; }
a:hover { text-decoration: underline; }
.sev { display: inline-block; min-width: 58px; text-align: center; font-size: 11px; font-weight: 700; text-transform: uppercase; border-radius: 3px; padding: 0 4px; color: #fff; }
.sev.error { background: var(--error); } .sev.warning { background: var(--warning); } .sev.info { background: var(--info); }
.row2 { display: grid; grid-template-columns: minmax(0, 11fr) minmax(0, 9fr); gap: 18px; }
@media (max-width: 1000px) { .row2 { grid-template-columns: 1fr; } }
.chart text { font-size: 13px; fill: var(--ink); }
.chart .figures { fill: var(--muted); font-size: 12px; }
.chart .marked { fill: var(--error); font-weight: 700; }
.legend { display: flex; gap: 16px; flex-wrap: wrap; color: var(--muted); font-size: 12px; margin: 4px 0 8px; }
.legend i { display: inline-block; width: 22px; height: 0; border-top: 3px solid; vertical-align: middle; margin-right: 5px; }
.legend i.dash { border-top-style: dashed; } .legend i.dot { border-top-style: dotted; }
.filters { position: sticky; top: 0; z-index: 2; display: flex; gap: 14px; align-items: center; flex-wrap: wrap; background: var(--paper); border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; margin: 0 0 14px; box-shadow: 0 2px 6px rgba(16,42,67,.06); }
.filters label { color: var(--muted); font-size: 12px; display: flex; gap: 6px; align-items: center; }
.filters select { font: inherit; padding: 2px 4px; max-width: 260px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(580px, 1fr)); gap: 14px; align-items: start; }
.card { background: var(--paper); border: 1px solid var(--line); border-radius: 6px; padding: 12px; display: grid; grid-template-columns: 260px minmax(0, 1fr); gap: 10px 14px; }
.card table.boxes { grid-column: 1 / -1; }
.card[hidden] { display: none; }
.card figure { margin: 0; }
.card svg.pic { width: 260px; height: auto; max-height: 300px; display: block; background-color: #e4e7eb;
  background-image: linear-gradient(45deg, #cbd2d9 25%, transparent 25%, transparent 75%, #cbd2d9 75%), linear-gradient(45deg, #cbd2d9 25%, transparent 25%, transparent 75%, #cbd2d9 75%);
  background-size: 12px 12px; background-position: 0 0, 6px 6px; border-radius: 3px; }
.card figcaption { font-size: 12px; color: var(--muted); margin-top: 4px; overflow-wrap: anywhere; }
.card .why { color: var(--error); font-size: 12.5px; margin: 6px 0 0; overflow-wrap: anywhere; }
.card h3 { display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; }
.card .where { color: var(--muted); font-size: 12px; overflow-wrap: anywhere; margin-bottom: 6px; }
.card ul.findings { list-style: none; margin: 0 0 8px; padding: 0; }
.card ul.findings li { margin: 0 0 4px; overflow-wrap: anywhere; }
.card ul.findings .place { color: var(--muted); }
.chip { display: inline-block; background: #e1effe; color: #1e429f; border-radius: 10px; padding: 0 8px; font-size: 12px; margin: 0 4px 2px 0; overflow-wrap: anywhere; }
table.boxes td, table.boxes th { padding: 1px 6px; font-size: 12px; }
table.boxes tr.dropped td { color: var(--dropped); }
table.boxes tr.sel td, table.boxes tr:hover td { background: #fdf6b2; }
svg .box { fill: none; stroke-width: 2; vector-effect: non-scaling-stroke; cursor: pointer; }
svg .box.kept { stroke: var(--kept); fill: rgba(14,159,110,.08); }
svg .box.dropped { stroke: var(--dropped); stroke-dasharray: 6 3; fill: rgba(224,36,36,.08); }
svg .box.sel, svg .box:hover { stroke-width: 4; fill: rgba(253,246,178,.35); }
svg .frame { fill: none; stroke: var(--frame); stroke-width: 1.5; vector-effect: non-scaling-stroke; }
svg .frame.declared { stroke: var(--declared); stroke-dasharray: 7 4; stroke-width: 2; }
svg .frame.displayed { stroke: var(--displayed); stroke-dasharray: 2 3; stroke-width: 2; }
svg .nopic { fill: #f8f9fa; }
.pairs { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 14px; }
.pair { background: var(--paper); border: 1px solid var(--line); border-radius: 6px; padding: 10px; }
.pair[hidden] { display: none; }
.pair .two { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
.pair img { width: 100%; height: 180px; object-fit: contain; background: #e4e7eb; border-radius: 3px; }
.pair .cap { font-size: 12px; color: var(--muted); overflow-wrap: anywhere; }
.more { color: var(--muted); margin: 10px 0 0; }
.rules pre { white-space: pre-wrap; background: var(--band); border: 1px solid var(--line); border-radius: 4px; padding: 10px; font-size: 12px; }
.rules section { margin: 0 0 12px; scroll-margin-top: 60px; }
.rules section:target pre { border-color: var(--frame); box-shadow: 0 0 0 2px #c3ddfd; }
#page-errors { color: var(--error); white-space: pre-wrap; }
.empty { color: var(--muted); }
</style>
</head>
<body>
<header class="top"><span class="verdict {{verdict-class}}">{{verdict}}</span><h1>{{title}}</h1><span class="sub">{{subtitle}}</span></header>
<main>
<pre id="page-errors" hidden></pre>
<section class="panel" id="summary"><h2>Summary</h2>
{{summary}}
</section>
<div class="row2">
<section class="panel" id="codes"><h2>Findings by code</h2>
{{codes}}
</section>
<section class="panel" id="labels"><h2>Labels: images in training and test</h2>
{{labels}}
</section>
</div>
{{dataset-findings}}
<div class="filters" id="filters">
{{filters}}
<span class="legend"><span><i style="border-color:var(--kept)"></i>box kept</span><span><i class="dash" style="border-color:var(--dropped)"></i>box dropped</span><span><i style="border-color:var(--frame)"></i>image as stored</span><span><i class="dash" style="border-color:var(--declared)"></i>image_size declared</span><span><i class="dot" style="border-color:var(--displayed)"></i>as displayed (EXIF)</span></span>
</div>
<section id="images"><h2>Flagged lines and images</h2>
{{cards}}
</section>
{{pairs}}
<section class="panel rules" id="rules"><h2>The checks found here</h2>
{{rules}}
</section>
</main>
<script>
(function () {
  function flushErrors() {
    var box = document.getElementById('page-errors');
    if (window.preflightErrors.length) { box.textContent = window.preflightErrors.join('\n'); box.hidden = false; }
  }
  var selects = Array.prototype.slice.call(document.querySelectorAll('#filters select'));
  var items = Array.prototype.slice.call(document.querySelectorAll('[data-codes]'));
  var count = document.getElementById('shown');
  function has(list, value) { return (' ' + (list || '') + ' ').indexOf(' ' + value + ' ') >= 0; }
  function apply() {
    var shown = 0;
    items.forEach(function (item) {
      var ok = selects.every(function (s) { return s.value === '' || has(item.getAttribute('data-' + s.name), s.value); });
      item.hidden = !ok;
      if (ok && item.classList.contains('card')) shown += 1;
    });
    if (count) count.textContent = String(shown);
  }
  selects.forEach(function (s) { s.addEventListener('change', apply); });
  document.addEventListener('click', function (e) {
    var target = e.target.closest ? e.target.closest('[data-box]') : null;
    if (!target) return;
    var card = target.closest('.card');
    var on = !target.classList.contains('sel');
    Array.prototype.forEach.call(card.querySelectorAll('.sel'), function (x) { x.classList.remove('sel'); });
    if (on) Array.prototype.forEach.call(card.querySelectorAll('[data-box="' + target.getAttribute('data-box') + '"]'), function (x) { x.classList.add('sel'); });
  });
  apply();
  flushErrors();
  window.addEventListener('load', flushErrors);
  document.body.setAttribute('data-script', 'ran');
})();
</script>
</body>
</html>
"""##
}
