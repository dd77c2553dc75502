#include "tools/matrix/matrix_html.h"

#include "conformance/runner/json_text.h"
#include "conformance/runner/reports.h"

namespace conform {
namespace {

// The page around the data; __DATA__ is replaced by the JSON.
constexpr const char* kPage = R"HTML(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Goroutine runtime conformance matrix</title>
<style>
:root{--pass:#2e9e4f;--fail:#d64541;--timeout:#e67e22;--crash:#8e1b1b;--error:#7b3fa0;--unsup:#b8bec6;
--expected:#f2c94c;--impl:#5b8def;--unexpected:#ff5fa2;--flaky:#9aa36b;--none:#f1f3f5;--engine:#a8d5b5}
*{box-sizing:border-box}body{margin:0;height:100vh;display:flex;flex-direction:column;font:13px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2329;background:#fafbfc}
header{flex:none;padding:14px 20px 8px;border-bottom:1px solid #dde1e5;background:#fff}
h1{font-size:19px;margin:0 0 4px}.sub{color:#5f6b76;font-size:12px}
#summary{display:flex;gap:10px;flex-wrap:wrap;margin-top:10px}
.card{border:1px solid #dde1e5;border-radius:6px;padding:6px 10px;background:#fff;min-width:170px}
.card b{font-size:14px}.card .n{font-variant-numeric:tabular-nums}.card.skip{opacity:.55}
.legend{display:flex;gap:10px;flex-wrap:wrap;margin:8px 0 0;font-size:12px;color:#3b4650}
.legend span{display:inline-flex;align-items:center;gap:4px}.sw{width:12px;height:12px;border-radius:2px;display:inline-block}
main{display:flex;flex:1;min-height:0}
#tablewrap{flex:1;padding:0 20px 10px;overflow:auto}
table{border-collapse:separate;border-spacing:0}
th,td{padding:3px 8px;border-bottom:1px solid #eef0f2;text-align:left;white-space:nowrap}
thead th{position:sticky;top:0;background:#fff;z-index:2;border-bottom:2px solid #c9ced4;font-size:12px}
thead th.rt{text-align:center;min-width:84px}thead th.rt.skip{color:#9aa3ab;min-width:44px;font-weight:400}td.c.skipcol{min-width:44px}
tr.area td{background:#eef1f4;font-weight:600;color:#33404c;padding-top:6px}
td.id{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;cursor:help}
td.lvl{font-size:11px;color:#5f6b76}td.lvl.IMPL{color:#3d6fd6;font-weight:600}
td.c{text-align:center;cursor:pointer;font-size:11px;font-weight:600;color:#fff;border-left:2px solid #fafbfc;min-width:84px}
td.c:hover{outline:2px solid #1d2329;outline-offset:-2px}td.c.sel{outline:3px solid #111;outline-offset:-3px}
.pass{background:var(--pass)}.fail{background:var(--fail)}.timeout{background:var(--timeout)}.crash{background:var(--crash)}
.error{background:var(--error)}.unsupported{background:var(--unsup);color:#3b4650!important}.expected{background:var(--expected);color:#4a3b00!important}
.engine{background:repeating-linear-gradient(135deg,var(--engine) 0 6px,#c9e6d1 6px 12px);color:#14532d!important}
.impl{background:var(--impl)}.unexpected{background:var(--unexpected)}.flaky{background:var(--flaky)}
.none{background:var(--none);color:#9aa3ab!important;cursor:default!important}
aside{width:520px;flex:none;border-left:1px solid #dde1e5;background:#fff;overflow:auto;padding:12px 16px}
aside h2{font-size:15px;margin:0 0 2px;font-family:ui-monospace,Menlo,monospace}aside .stmt{color:#3b4650;margin:4px 0 10px}
.scn{border:1px solid #dde1e5;border-radius:6px;margin:0 0 12px;overflow:hidden}
.scn .hd{padding:6px 10px;display:flex;gap:8px;align-items:center;background:#f6f7f9;border-bottom:1px solid #dde1e5}
.badge{border-radius:3px;padding:1px 6px;font-size:11px;font-weight:700;color:#fff}
.scn .body{padding:6px 10px}.scn h4{margin:8px 0 3px;font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:#5f6b76}
pre{margin:0;background:#f6f8fa;border:1px solid #e4e7eb;border-radius:4px;padding:6px 8px;font:11.5px/1.35 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-word;max-height:260px;overflow:auto}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:8px}.note{color:#8e1b1b}.hint{color:#5f6b76}
</style></head><body>
<header><h1>Goroutine runtime conformance</h1>
<div class="sub" id="sub"></div><div id="summary"></div><div class="legend" id="legend"></div></header>
<main><div id="tablewrap"><table id="matrix"></table></div>
<aside id="detail"><p class="hint">Click a cell to see that clause's scenarios on that runtime: the scenario,
what it expects, the observed trace, stderr and why it failed. Hover a clause id for its statement.</p></aside></main>
<script id="data" type="application/json">__DATA__</script>
<script>
"use strict";
const D=JSON.parse(document.getElementById("data").textContent);
const KIND={pass:["pass","PASS"],engine:["engine","PASS (engine)"],fail:["fail","FAIL"],timeout:["timeout","TIMEOUT"],crash:["crash","CRASH"],error:["error","ERROR"],
unsupported:["unsupported","UNSUPPORTED"],expected:["expected","EXPECTED FAIL"],impl:["impl","IMPL DIFFERS"],
unexpected:["unexpected","UNEXPECTED PASS"],flaky:["flaky","FLAKY"],limit:["crash","LIMIT"],none:["none","—"]};
function el(t,a,...kids){const e=document.createElement(t);for(const k in a||{}){if(k==="class")e.className=a[k];else if(k==="text")e.textContent=a[k];else e.setAttribute(k,a[k]);}
for(const c of kids)e.append(c);return e;}
function kindOf(v,status){switch(v){case"pass":return"pass";case"pass-engine":return"engine";case"unsupported":return"unsupported";case"flaky":return"flaky";
case"expected-failure":return"expected";case"impl-differs":return"impl";case"unexpected-pass":return"unexpected";
default:return{FAIL:"fail",TIMEOUT:"timeout",CRASH:"crash",LIMIT:"limit",ERROR:"error",UNSUPPORTED:"unsupported",PASS:"pass"}[status]||"fail";}}
const runs=D.runs;const byRun=runs.map(r=>{const m={};for(const c of (r.clauses||[]))m[c.id]=c;return m;});
const scnByRun=runs.map(r=>{const m={};for(const s of (r.scenarios||[]))m[s.file]=s;return m;});
function cellKind(ri,id){const c=byRun[ri][id];if(!c)return"none";return kindOf(c.verdict,c.status);}
document.getElementById("sub").textContent=`${D.clauses.length} clauses · ${runs.filter(r=>!r.skipped).length} of ${runs.length} runtimes run · generated ${D.generated}`;
const sum=document.getElementById("summary");
for(const r of runs){const card=el("div",{class:"card"+(r.skipped?" skip":"")});card.append(el("b",{text:r.runtime}),el("div",{class:"sub",text:r.description}));
if(r.skipped){card.append(el("div",{class:"note",text:"not run: "+r.skipped}));}
else{const s=r.summary;card.append(el("div",{class:"n",text:`${s.clauses_passed} pass`+(s.clauses_passed_engine?` (+${s.clauses_passed_engine} through the engine)`:"")+` · ${s.clauses_failed} fail · ${s.clauses_expected_failure} expected`}),
el("div",{class:"n sub",text:`${s.clauses_unsupported} unsupported · ${s.impl_clauses_differing} IMPL differ · ${s.scenarios} scenarios in ${s.seconds??r.seconds.toFixed(1)}s`}));}
for(const id of (r.identity||[]))card.append(el("div",{class:"sub",text:id}));
if(r.capability_overrides)card.append(el("div",{class:"sub",text:"capabilities overridden: "+r.capability_overrides}));
const borrowed=Object.entries(r.families||{}).filter(([,v])=>v!=="native").map(([k,v])=>`${k} ${v}`);
if(borrowed.length)card.append(el("div",{class:"sub",text:"families: "+borrowed.join(", ")}));
sum.append(card);}
const leg=document.getElementById("legend");
for(const k of["pass","engine","fail","timeout","crash","error","unsupported","expected","impl","unexpected","flaky","none"]){
leg.append(el("span",{},el("i",{class:"sw "+KIND[k][0]}),k==="none"?"no scenario run":KIND[k][1].toLowerCase()));}
const t=document.getElementById("matrix");const head=el("tr",{},el("th",{text:"clause"}),el("th",{text:"level"}));
runs.forEach(r=>head.append(el("th",{class:"rt"+(r.skipped?" skip":""),title:r.skipped||r.description,text:r.runtime})));
t.append(el("thead",{},head));const body=el("tbody");let area="";
for(const c of D.clauses){const a=c.id.split(".")[0];if(a!==area){area=a;const tr=el("tr",{class:"area"},el("td",{colspan:2+runs.length,text:a}));body.append(tr);}
const tr=el("tr",{},el("td",{class:"id",title:c.statement+(c.capability?`\n(needs ${c.capability})`:""),text:c.id}),el("td",{class:"lvl "+c.level,text:c.level}));
runs.forEach((r,ri)=>{const k=r.skipped?"none":cellKind(ri,c.id);const td=el("td",{class:"c "+KIND[k][0]+(r.skipped?" skipcol":""),text:r.skipped?"":KIND[k][1]});
td.dataset.key=r.runtime+"/"+c.id;if(k!=="none")td.onclick=()=>{location.hash="cell="+td.dataset.key;};tr.append(td);});body.append(tr);}
t.append(body);
function pre(text){return el("pre",{text:text===""?"(empty)":text});}
function traceText(s){const l=s.trace.map(e=>`g${e.g} ${e.op} ${e.value}`);const n=s.trace_events??l.length;
if(n>l.length)l.splice(s.trace_head,0,`[... ${n-l.length} of ${n} events not kept: ${s.status==="PASS"?"a pass keeps the first and last 5":"the first and last 1000 are kept"} ...]`);return l.join("\n");}
function show(key){const [rt,id]=key.split("/");const ri=runs.findIndex(r=>r.runtime===rt);const clause=D.clauses.find(c=>c.id===id);
const c=ri>=0?byRun[ri][id]:null;const det=document.getElementById("detail");det.replaceChildren();
document.querySelectorAll("td.c.sel").forEach(x=>x.classList.remove("sel"));
const td=document.querySelector(`td.c[data-key="${CSS.escape(key)}"]`);if(td){td.classList.add("sel");const w=document.getElementById("tablewrap");const top=td.offsetTop-w.clientHeight/2;if(td.offsetTop<w.scrollTop+40||td.offsetTop>w.scrollTop+w.clientHeight-40)w.scrollTop=Math.max(0,top);}
det.append(el("h2",{text:id}),el("div",{class:"sub",text:`${rt} · ${clause?clause.level:""}`}),el("div",{class:"stmt",text:clause?clause.statement:""}));
if(!c){det.append(el("p",{class:"hint",text:"No scenario for this clause was run on this runtime."}));return;}
for(const f of c.scenarios){const s=scnByRun[ri][f];if(!s)continue;const k=kindOf(s.verdict,s.status);
const box=el("div",{class:"scn"});box.append(el("div",{class:"hd"},el("span",{class:"badge "+KIND[k][0],text:KIND[k][1]}),el("code",{text:f}),el("span",{class:"sub",text:s.seconds.toFixed(2)+"s"})));
const b=el("div",{class:"body"});if(s.note)b.append(el("div",{class:k==="engine"?"sub":"note",text:s.note}));
if(s.known&&(s.verdict==="new-failure"||s.verdict==="unexpected-pass"))b.append(el("div",{class:"sub",text:`expectations: ${s.known.status} · ${s.known.category} · ${s.known.reason}`}));
if(s.failures.length){b.append(el("h4",{text:"failures"}),pre(s.failures.join("\n")));}
const tr=traceText(s);
b.append(el("div",{class:"cols"},el("div",{},el("h4",{text:"expected"}),pre(s.expected.join("\n"))),el("div",{},el("h4",{text:"observed trace"+(s.status==="TIMEOUT"||s.status==="CRASH"||s.status==="UNSUPPORTED"?"":` (exit ${s.exit_status})`)}),pre(tr))));
b.append(el("h4",{text:"stderr"}),pre(s.stderr),el("h4",{text:"scenario"}),pre(s.text));box.append(b);det.append(box);}}
function route(){const m=location.hash.match(/^#cell=(.+)$/);if(m)show(decodeURIComponent(m[1]));}
window.addEventListener("hashchange",route);route();
</script></body></html>
)HTML";

std::string ClausesJson(const std::vector<spec::Clause>& clauses) {
  std::string out = "[";
  for (size_t i = 0; i < clauses.size(); ++i) {
    const auto& c = clauses[i];
    out += (i ? ",\n" : "\n") + std::string("{\"id\":") + JsonQuote(c.id) + ",\"level\":" + JsonQuote(c.level) +
           ",\"capability\":" + JsonQuote(c.capability) + ",\"statement\":" + JsonQuote(c.statement) + "}";
  }
  return out + "]";
}

}  // namespace

std::string MatrixHtml(const std::vector<RuntimeRun>& runs, const std::vector<spec::Clause>& clauses,
                       const std::string& generated_at) {
  std::string data = "{\"generated\":" + JsonQuote(generated_at) + ",\"clauses\":" + ClausesJson(clauses) + ",\"runs\":[";
  for (size_t i = 0; i < runs.size(); ++i) data += (i ? ",\n" : "\n") + RunToJson(runs[i]);
  data += "]}";
  std::string page = kPage;
  page.replace(page.find("__DATA__"), 8, data);
  return page;
}

}  // namespace conform
