import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodMonitor, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { startServer } from '../support/server.js';
import { HELM, ROOT, run } from './tools.js';

const CHART = join(ROOT, 'charts/aiperf-mock-server');
const EXAMPLES = readdirSync(join(CHART, 'examples')).map((f) => join(CHART, 'examples', f));

interface Manifest {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: Record<string, unknown>;
}

/** Validates one rendered manifest against the Kubernetes (or Prometheus Operator) schema. */
function validate(m: Manifest): void {
  const byKind: Record<string, (o: Manifest) => { validate(): void }> = {
    ConfigMap: (o) => new ConfigMap(o as never),
    Service: (o) => new Service(o as never),
    Deployment: (o) => new Deployment(o as never),
    ServiceMonitor: (o) => new ServiceMonitor(o as never),
    PodMonitor: (o) => new PodMonitor(o as never),
  };
  const make = byKind[m.kind];
  assert.ok(make, `unexpected kind ${m.kind}`);
  make(m).validate();
}

async function template(args: string[]): Promise<Manifest[]> {
  const out = (await run(HELM, ['template', 'mock', CHART, ...args])).stdout;
  return parseAllDocuments(out)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

describe('Helm chart', () => {
  const work = mkdtempSync(join(tmpdir(), 'amock-helm-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  it('lints strictly with the default values and every example values file', async () => {
    await run(HELM, ['lint', '--strict', CHART]);
    for (const f of EXAMPLES) await run(HELM, ['lint', '--strict', CHART, '-f', f]);
  });

  it('the schema rejects options that belong to the chart and unknown values, naming each violation', async () => {
    // helm's schema messages (values.schema.json): the failure must be the schema's, not any other error.
    const cases: [string, RegExp][] = [
      ['config.port=1', /config: Property name of "port" does not match/],
      ['replicas=2', /\(root\): Additional property replicas is not allowed/],
      ['workers=0', /workers: Must be greater than or equal to 1/],
    ];
    for (const [set, violation] of cases) {
      const err = await run(HELM, ['lint', '--strict', CHART, '--set', set]).then(
        () => assert.fail(`helm lint accepted --set ${set}`),
        (e: Error) => e.message,
      );
      assert.match(err, /values don't meet the specifications of the schema/, set);
      assert.match(err, violation, set);
    }
  });

  it('renders manifests that validate against the Kubernetes schemas, for defaults and each example', async () => {
    for (const args of [[], ...EXAMPLES.map((f) => ['-f', f]), ['--set', 'podMonitor.enabled=true']]) {
      const manifests = await template(args);
      assert.ok(manifests.length >= 3, JSON.stringify(args));
      for (const m of manifests) validate(m);
    }
  });

  it('restricted security context, probes on /health and /health/live, config checksum, per-pod DCGM hostname', async () => {
    const manifests = await template([]);
    const dep = manifests.find((m) => m.kind === 'Deployment') as unknown as {
      spec: {
        template: {
          metadata: { annotations: Record<string, string> };
          spec: {
            securityContext: { runAsNonRoot: boolean };
            containers: {
              securityContext: Record<string, unknown>;
              readinessProbe: { httpGet: { path: string } };
              livenessProbe: { httpGet: { path: string } };
              env: { name: string }[];
            }[];
          };
        };
      };
    };
    const pod = dep.spec.template;
    const c = pod.spec.containers[0]!;
    assert.equal(pod.spec.securityContext.runAsNonRoot, true);
    assert.equal(c.securityContext['readOnlyRootFilesystem'], true);
    assert.equal(c.securityContext['allowPrivilegeEscalation'], false);
    assert.equal(c.readinessProbe.httpGet.path, '/health');
    assert.equal(c.livenessProbe.httpGet.path, '/health/live');
    assert.ok(c.env.some((e) => e.name === 'MOCK_SERVER_DCGM_HOSTNAME'));
    assert.equal(pod.metadata.annotations['prometheus.io/scrape'], 'true');
    const sum = pod.metadata.annotations['checksum/config'];
    const changed = (await template(['--set', 'config.ttft=99'])).find(
      (m) => m.kind === 'Deployment',
    ) as unknown as typeof dep;
    assert.notEqual(changed.spec.template.metadata.annotations['checksum/config'], sum, 'pods roll on a config change');
  });

  it('the ServiceMonitor has one endpoint per metrics page and per DCGM node', async () => {
    const manifests = await template(['--set', 'serviceMonitor.enabled=true']);
    const sm = manifests.find((m) => m.kind === 'ServiceMonitor') as unknown as {
      spec: { endpoints: { port: string; path: string }[] };
    };
    const eps = sm.spec.endpoints.map((e) => `${e.port}${e.path}`).sort();
    assert.deepEqual(eps, [
      'dcgm1/metrics',
      'dcgm2/metrics',
      'http/dynamo_component/decode/metrics',
      'http/dynamo_component/prefill/metrics',
      'http/dynamo_frontend/metrics',
      'http/metrics',
      'http/sglang/metrics',
      'http/trtllm/metrics',
      'http/vllm/metrics',
    ]);
  });

  it('every example config file is accepted by the real server', async () => {
    for (const f of EXAMPLES) {
      const cm = (await template(['-f', f])).find((m) => m.kind === 'ConfigMap')!;
      const file = join(work, 'config.yaml');
      writeFileSync(file, cm.data!['config.yaml']!);
      const server = await startServer(['--config', file]);
      const h = (await (await fetch(`${server.url}/health`)).json()) as { status: string };
      assert.ok(['healthy', 'loading'].includes(h.status), f);
      assert.equal(await server.stop(), 0);
    }
  });
});
