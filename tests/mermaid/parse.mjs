// Parse Mermaid texts with the real Mermaid parser (the one its renderer uses), under a
// minimal DOM (jsdom) since Mermaid's sanitiser needs one. Reads a JSON array of texts
// on stdin; writes one JSON result per text: whether it parsed, the error, and the
// labels the parser kept (node texts, edge texts, subgraph titles) with their kind.
import { JSDOM } from 'jsdom';

const { window } = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function check(text) {
  try {
    const parsed = await mermaid.parse(text);
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const db = diagram.db;
    return {
      ok: true,
      type: parsed.diagramType,
      nodes: [...db.getVertices().values()].map((v) => ({ id: v.id, text: v.text, kind: v.labelType })),
      edges: db.getEdges().map((e) => ({ start: e.start, end: e.end, text: e.text, kind: e.labelType })),
      subgraphs: db.getSubGraphs().map((s) => ({ id: s.id, text: s.title, kind: s.labelType })),
    };
  } catch (err) {
    return { ok: false, error: String(err && err.message ? err.message : err) };
  }
}

const texts = JSON.parse(await readStdin());
const results = [];
for (const text of texts) results.push(await check(text));
process.stdout.write(JSON.stringify(results));
