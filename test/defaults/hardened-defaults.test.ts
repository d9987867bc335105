import { App, Chart, Testing } from 'cdk8s';
import { HardenedDefaults, HardenedDeployment, Platform, PssVersion, ResourcePreset } from '../../src';
import { DIGEST_IMAGE, synth, synthError } from '../helpers/synth';

function chart(app: App = Testing.app(), id = 'test'): Chart {
  return new Chart(app, id, { namespace: 'shop' });
}

describe('HardenedDefaults.set checks what it is given, and keeps it', () => {
  test.each([
    'registry.example.com', 'registry.example.com:5000', 'registry.example.com/team', 'registry.example.com/team/', 'REGISTRY.example.com/team',
    'ghcr.io/my-org/sub_path', 'localhost:5000', '10.0.0.7:5000/mirror', '[2001:db8::1]:5000', 'docker.io/library', 'index.docker.io', 'registry',
  ])('the registry entry %s is accepted', entry => {
    const scope = chart();
    HardenedDefaults.set(scope, { allowedRegistries: [entry] });
    expect(HardenedDefaults.of(scope).allowedRegistries).toEqual([entry]);
  });

  test('an empty allow-list is accepted and allows nothing (fail closed)', () => {
    const scope = chart();
    HardenedDefaults.set(scope, { allowedRegistries: [] });
    new HardenedDeployment(scope, 'web', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
    expect(synthError(scope)).toContain('which is under none of the allowed registries (empty list)');
  });

  test('the allow-list is copied: changing the caller\'s list afterwards changes nothing', () => {
    const scope = chart();
    const registries = ['registry.example.com'];
    HardenedDefaults.set(scope, { allowedRegistries: registries });
    registries.push('evil.example.com');
    expect(HardenedDefaults.of(scope).allowedRegistries).toEqual(['registry.example.com']);
  });

  test('a nearer scope wins field by field; a later call on one scope merges; undefined clears that scope\'s field', () => {
    const app = Testing.app();
    const scope = chart(app);
    HardenedDefaults.set(app, { resourcePreset: ResourcePreset.LARGE, pssVersion: PssVersion.V1_29 });
    HardenedDefaults.set(scope, { resourcePreset: ResourcePreset.MICRO });
    HardenedDefaults.set(scope, { allowedRegistries: ['registry.example.com'] });
    expect(HardenedDefaults.of(scope)).toEqual({
      resourcePreset: ResourcePreset.MICRO,
      pssVersion: PssVersion.V1_29,
      allowedRegistries: ['registry.example.com'],
      requireImageDigests: false,
      platform: Platform.GENERIC,
    });
    HardenedDefaults.set(scope, { resourcePreset: undefined });
    expect(HardenedDefaults.of(scope).resourcePreset).toBe(ResourcePreset.LARGE);
    expect(HardenedDefaults.of(app)).toEqual({
      resourcePreset: ResourcePreset.LARGE,
      pssVersion: PssVersion.V1_29,
      allowedRegistries: undefined,
      requireImageDigests: false,
      platform: Platform.GENERIC,
    });
  });

  test('nothing set: SMALL, v1.27, no allow-list', () => {
    const resolved = HardenedDefaults.of(chart());
    expect(resolved).toEqual({
      resourcePreset: ResourcePreset.SMALL,
      pssVersion: PssVersion.V1_27,
      allowedRegistries: undefined,
      requireImageDigests: false,
      platform: Platform.GENERIC,
    });
  });

  test('a refused call changes nothing', () => {
    const scope = chart();
    HardenedDefaults.set(scope, { resourcePreset: ResourcePreset.MEDIUM });
    const refused = () => HardenedDefaults.set(scope, { resourcePreset: ResourcePreset.LARGE, allowedRegistries: 'x' as any });
    expect(refused).toThrow(/allowedRegistries "x" is not a list/);
    expect(HardenedDefaults.of(scope).resourcePreset).toBe(ResourcePreset.MEDIUM);
    new HardenedDeployment(scope, 'web', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
    expect(synth(scope).find(m => m.kind === 'Deployment').spec.template.spec.containers[0].resources.limits.cpu).toBe('1000m');
  });
});

describe('PssVersion.of', () => {
  test.each([['v1.25', PssVersion.V1_25], ['1.29', PssVersion.V1_29], [' v1.33 ', PssVersion.V1_33]])('%s is a supported version', (text, version) => {
    expect(PssVersion.of(text)).toBe(version);
  });
});

test('set after a construct below the scope resolved its defaults is refused, not half-applied', () => {
  const app = Testing.app();
  const scope = chart(app);
  HardenedDefaults.set(app, { resourcePreset: ResourcePreset.MEDIUM });
  new HardenedDeployment(scope, 'web', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
  expect(() => HardenedDefaults.set(app, { resourcePreset: ResourcePreset.LARGE }))
    .toThrow(/^\[\(the app\)\] HardenedDefaults.set: the defaults in force here were already resolved by \[test\/web\]; call HardenedDefaults.set before creating the constructs below this scope$/);
  expect(() => HardenedDefaults.set(scope, { pssVersion: PssVersion.V1_29 })).toThrow(/already resolved by \[test\/web\]/);
  // A sibling scope nobody has read yet can still be set.
  expect(() => HardenedDefaults.set(chart(app, 'other'), { resourcePreset: ResourcePreset.LARGE })).not.toThrow();
  expect(synth(scope).find(m => m.kind === 'Deployment').spec.template.spec.containers[0].resources.limits.cpu).toBe('1000m');
});
