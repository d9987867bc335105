import { Testing } from 'cdk8s';
import { ShopChart } from '../../examples/shop/main';
import { Guard } from '../../src';
import { expectSchemaValid } from '../helpers/schema';

test('the example shop synthesizes schema-valid YAML with no guard finding at all', () => {
  const app = Testing.app();
  const chart = new ShopChart(app, 'shop');
  const manifests = Testing.synth(chart);
  expectSchemaValid(manifests);
  expect(Guard.findings(chart)).toEqual([]);
  expect(manifests.map(m => m.kind).sort()).toEqual([
    'Deployment', 'Deployment', 'NetworkPolicy', 'NetworkPolicy', 'PodDisruptionBudget', 'PodDisruptionBudget',
    'Service', 'Service', 'ServiceAccount', 'ServiceAccount',
  ]);
  for (const manifest of manifests) {
    expect(manifest.metadata.namespace).toBe('shop');
  }
});
