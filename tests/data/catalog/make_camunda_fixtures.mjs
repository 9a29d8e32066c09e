// Produce "as Camunda Modeler saves it" fixtures with bpmn-moddle (the library Camunda Modeler
// uses to read and write BPMN): an edited catalogue model and a foreign model without metadata.
import { readFile, writeFile } from 'node:fs/promises';
import { BpmnModdle } from 'bpmn-moddle';

const [src, outEdited, outForeign] = process.argv.slice(2);
const moddle = new BpmnModdle();
const MODELER = 'http://camunda.org/schema/modeler/1.0';

function camundaHeader(defs) {
  defs.exporter = 'Camunda Modeler';
  defs.exporterVersion = '5.29.0';
  defs.$attrs['xmlns:modeler'] = MODELER;
  defs.$attrs['modeler:executionPlatform'] = 'Camunda Platform';
  defs.$attrs['modeler:executionPlatformVersion'] = '7.22.0';
}
const pt = (x, y) => moddle.create('dc:Point', { x, y });
const bounds = (x, y, width, height) => moddle.create('dc:Bounds', { x, y, width, height });

// 1. the catalogue model, edited
{
  const { rootElement: defs, warnings } = await moddle.fromXML(await readFile(src, 'utf8'));
  if (warnings.length) throw new Error(warnings.map(w => w.message).join('\n'));
  camundaHeader(defs);
  const proc = defs.rootElements.find(e => e.$type === 'bpmn:Process');
  const byId = id => proc.flowElements.find(e => e.id === id);
  byId('Activity_Rontgen').name = 'Röntgen höft och bäcken';            // a renamed task
  const mob = byId('Activity_Mobilisering'), ut = byId('Activity_Utskrivning');
  const flow = byId('Flow_Mobilisering_Utskrivning');                    // reconnected end
  const task = moddle.create('bpmn:UserTask', { id: 'Activity_0x3fj2', name: 'Trycksårsbedömning' });
  const flow2 = moddle.create('bpmn:SequenceFlow', { id: 'Flow_1m4k9qz', sourceRef: task, targetRef: ut });
  flow.targetRef = task;
  task.incoming = [flow]; task.outgoing = [flow2];
  ut.incoming = ut.incoming.map(f => (f === flow ? flow2 : f));
  proc.flowElements.push(task, flow2);
  const plane = defs.diagrams[0].plane;
  plane.planeElement.push(
    moddle.create('bpmndi:BPMNShape', { id: 'Activity_0x3fj2_di', bpmnElement: task, bounds: bounds(2230, 100, 100, 80) }),
    moddle.create('bpmndi:BPMNEdge', { id: 'Flow_1m4k9qz_di', bpmnElement: flow2, waypoint: [pt(2330, 140), pt(2360, 140), pt(2360, 220)] }),
  );
  const edge = plane.planeElement.find(e => e.bpmnElement === flow);
  edge.waypoint = [pt(2200, 220), pt(2200, 140), pt(2230, 140)];
  const { xml } = await moddle.toXML(defs, { format: true });
  await writeFile(outEdited, xml + '\n');
}

// 2. a foreign model drawn in the modeller, without metadata
{
  const defs = moddle.create('bpmn:Definitions', {
    id: 'Definitions_1n2b3c4', targetNamespace: 'http://bpmn.io/schema/bpmn',
  });
  camundaHeader(defs);
  const proc = moddle.create('bpmn:Process', { id: 'Process_0d5yq8r', name: 'Remiss till ortopeden', isExecutable: false });
  const start = moddle.create('bpmn:StartEvent', { id: 'StartEvent_1', name: 'Remiss inkommen' });
  const t1 = moddle.create('bpmn:UserTask', { id: 'Activity_1bedm7x', name: 'Bedöm remiss' });
  const t2 = moddle.create('bpmn:UserTask', { id: 'Activity_0kall2v', name: 'Kalla patient' });
  const end = moddle.create('bpmn:EndEvent', { id: 'Event_0slut9k', name: 'Besök bokat' });
  const nodes = [start, t1, t2, end];
  const flows = [];
  for (let i = 0; i + 1 < nodes.length; i++) {
    const f = moddle.create('bpmn:SequenceFlow', { id: `Flow_0f${i}x7qa`, sourceRef: nodes[i], targetRef: nodes[i + 1] });
    nodes[i].outgoing = [f]; nodes[i + 1].incoming = [f]; flows.push(f);
  }
  proc.flowElements = [...nodes, ...flows];
  const shapes = [
    ['StartEvent_1', start, bounds(179, 99, 36, 36)],
    ['Activity_1bedm7x', t1, bounds(270, 77, 100, 80)],
    ['Activity_0kall2v', t2, bounds(430, 77, 100, 80)],
    ['Event_0slut9k', end, bounds(592, 99, 36, 36)],
  ].map(([id, el, b]) => moddle.create('bpmndi:BPMNShape', { id: `${id}_di`, bpmnElement: el, bounds: b }));
  const xs = [[215, 270], [370, 430], [530, 592]];
  const edges = flows.map((f, i) => moddle.create('bpmndi:BPMNEdge', {
    id: `${f.id}_di`, bpmnElement: f, waypoint: [pt(xs[i][0], 117), pt(xs[i][1], 117)],
  }));
  const plane = moddle.create('bpmndi:BPMNPlane', { id: 'BPMNPlane_1', bpmnElement: proc, planeElement: [...shapes, ...edges] });
  defs.rootElements = [proc];
  defs.diagrams = [moddle.create('bpmndi:BPMNDiagram', { id: 'BPMNDiagram_1', plane })];
  const { xml } = await moddle.toXML(defs, { format: true });
  await writeFile(outForeign, xml + '\n');
}
