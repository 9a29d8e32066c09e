// Label measurement in a real browser, for fvmprocess's SVG and bpmn-js's rendering alike.
// Loaded by a page written by tests/browser/measure.py; DATA (from data.js) holds
// {ours: [{name, svg}], xml: [{name, xml}]}. The result replaces the page body as JSON in
// <pre id="result">, so `chromium --dump-dom` prints it.

function rel(r, o) {
  return [r.left - o.left, r.top - o.top, r.width, r.height];
}

// Every drawn shape's outline box and every text line's box, relative to the SVG's canvas.
function measureSvg(svg, kind) {
  const o = svg.getBoundingClientRect();
  const shapes = [];
  const lines = [];
  if (kind === "ours") {
    for (const g of svg.querySelectorAll("g.bpmn-element[data-element-id]")) {
      const outline = g.querySelector(":scope > .bpmn-shape");
      if (outline) shapes.push({ id: g.dataset.elementId, box: rel(outline.getBoundingClientRect(), o) });
    }
  } else {
    for (const g of svg.querySelectorAll("g.djs-element.djs-shape[data-element-id]")) {
      if (g.classList.contains("djs-label") || g.dataset.elementId.endsWith("_label")) continue;
      const outline = g.querySelector(":scope > .djs-visual > :first-child");
      if (outline && outline.tagName !== "text") shapes.push({ id: g.dataset.elementId, box: rel(outline.getBoundingClientRect(), o) });
    }
  }
  let label = 0;
  for (const text of svg.querySelectorAll("text")) {
    const owner = text.closest("[data-element-id]");
    if (!owner) continue;
    const id = owner.dataset.elementId.replace(/_label$/, "");
    for (const span of text.querySelectorAll("tspan")) {
      const t = span.textContent;
      if (!t.trim()) continue;
      lines.push({ id, label, text: t, box: rel(span.getBoundingClientRect(), o) });
    }
    label += 1;
  }
  return { width: o.width, height: o.height, shapes, lines };
}

function place(svgText) {
  const holder = document.createElement("div");
  holder.innerHTML = svgText;
  document.body.appendChild(holder);
  const svg = holder.querySelector("svg");
  return [holder, svg];
}

async function bpmnjs(item) {
  const out = [];
  const div = document.createElement("div");
  div.style.width = "1200px";
  div.style.height = "900px";
  document.body.appendChild(div);
  const viewer = new BpmnJS({ container: div });
  try {
    await viewer.importXML(item.xml);
    const diagrams = viewer.getDefinitions().diagrams || [];
    for (let i = 0; i < diagrams.length; i++) {
      if (i > 0) await viewer.open(diagrams[i]);
      const { svg } = await viewer.saveSVG();
      const [holder, el] = place(svg);
      const m = measureSvg(el, "bpmnjs");
      m.name = item.name;
      m.diagram = i;
      out.push(m);
      holder.remove();
    }
  } catch (e) {
    out.push({ name: item.name, diagram: 0, error: String(e) });
  }
  viewer.destroy();
  div.remove();
  return out;
}

async function main() {
  const result = { ours: [], bpmnjs: [] };
  for (const item of DATA.ours) {
    const [holder, el] = place(item.svg);
    const m = measureSvg(el, "ours");
    m.name = item.name;
    m.diagram = item.diagram;
    result.ours.push(m);
    holder.remove();
  }
  if (typeof BpmnJS !== "undefined") {
    for (const item of DATA.xml) result.bpmnjs.push(...(await bpmnjs(item)));
  }
  document.body.innerHTML = "";
  const pre = document.createElement("pre");
  pre.id = "result";
  pre.textContent = JSON.stringify(result);
  document.body.appendChild(pre);
}

main();
