import { ApiObject, Testing } from 'cdk8s';
import { Controls, Exemptions, FindingStatus, Guard, PssVersion } from '../../src';
import { check } from '../../src/cli/check';
import { DIGEST_IMAGE, REASON, synth, synthError } from '../helpers/synth';

/** A pod with two hostPath volumes (index 0 and 1), otherwise compliant with every pod control. */
function hostPathPod(name = 'agent') {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ops' },
    spec: {
      automountServiceAccountToken: false,
      serviceAccountName: 'agent',
      securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'agent',
        image: DIGEST_IMAGE,
        securityContext: {
          runAsNonRoot: true,
          runAsUser: 65532,
          runAsGroup: 65532,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        },
        resources: {
          requests: { 'cpu': '10m', 'memory': '16Mi', 'ephemeral-storage': '16Mi' },
          limits: { 'cpu': '10m', 'memory': '16Mi', 'ephemeral-storage': '16Mi' },
        },
        volumeMounts: [{ name: 'logs', mountPath: '/var/log', readOnly: true }, { name: 'sock', mountPath: '/run/x.sock', readOnly: true }],
      }],
      volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }, { name: 'sock', hostPath: { path: '/run/x.sock' } }],
    },
  };
}

/** A protected chart holding the pod; every control but the hostPath ones exempted chart-wide. */
function chartWith(...pods: any[]) {
  const chart = Testing.chart();
  Guard.protect(chart);
  Exemptions.of(chart).add(...Controls.all()
    .filter(c => c.exemptable && c !== Controls.HOST_PATH_VOLUMES && c !== Controls.VOLUME_TYPES)
    .map(control => ({ control, reason: 'exemption test fixture: only the two hostPath controls are under review in this file' })));
  const objects = pods.map((pod, i) => new ApiObject(chart, `pod${i}`, pod));
  return { chart, objects };
}

describe('an exemption narrowed to an object or a JSON pointer', () => {
  test('a pointer covers the findings at or below it, and nothing else in the object', () => {
    const { chart, objects: [pod] } = chartWith(hostPathPod());
    Exemptions.of(pod).add(
      { control: Controls.HOST_PATH_VOLUMES, reason: REASON, pointer: '/spec/volumes/0' },
      { control: Controls.VOLUME_TYPES, reason: REASON, pointer: '/spec/volumes/0' },
    );
    const message = synthError(chart);
    expect(message).toContain('host-path-volumes: Pod ops/agent /spec/volumes/1/hostPath');
    expect(message).toContain('volume-types: Pod ops/agent /spec/volumes/1/hostPath');
    expect(message).not.toContain('/spec/volumes/0');
  });

  test('two narrowed exemptions of one control cover both findings and are recorded as a list', () => {
    const { chart, objects: [pod] } = chartWith(hostPathPod());
    for (const index of [0, 1]) {
      Exemptions.of(pod).add(
        { control: Controls.HOST_PATH_VOLUMES, reason: `${REASON} (volume ${index})`, pointer: `/spec/volumes/${index}` },
        { control: Controls.VOLUME_TYPES, reason: `${REASON} (volume ${index})`, pointer: `/spec/volumes/${index}` },
      );
    }
    const [manifest] = synth(chart);
    const recorded = JSON.parse(manifest.metadata.annotations['exemptions.cdk8s-hardened.io/host-path-volumes']);
    expect(recorded.map((e: any) => e.pointer)).toEqual(['/spec/volumes/0', '/spec/volumes/1']);
    expect(Guard.findings(chart).filter(f => f.controlId === 'host-path-volumes').map(f => f.status)).toEqual([FindingStatus.EXEMPT, FindingStatus.EXEMPT]);
  });

  test('a pinned value voids the exemption when the value at the pointer changes', () => {
    const pinned = { control: Controls.HOST_PATH_VOLUMES, reason: REASON, pointer: '/spec/volumes/0', pointerValue: { name: 'logs', hostPath: { path: '/var/log' } } };
    const good = hostPathPod();
    good.spec.volumes = [good.spec.volumes[0]];
    good.spec.containers[0].volumeMounts = [good.spec.containers[0].volumeMounts[0]];
    const ok = chartWith(good);
    Exemptions.of(ok.objects[0]).add(pinned, { ...pinned, control: Controls.VOLUME_TYPES });
    expect(() => synth(ok.chart)).not.toThrow();
    expect(JSON.parse(synth(ok.chart)[0].metadata.annotations['exemptions.cdk8s-hardened.io/host-path-volumes']).pointerValue)
      .toEqual({ name: 'logs', hostPath: { path: '/var/log' } });

    const changed = hostPathPod();
    changed.spec.volumes = [{ name: 'logs', hostPath: { path: '/' } }];
    changed.spec.containers[0].volumeMounts = [changed.spec.containers[0].volumeMounts[0]];
    const bad = chartWith(changed);
    Exemptions.of(bad.objects[0]).add(pinned, { ...pinned, control: Controls.VOLUME_TYPES });
    expect(synthError(bad.chart)).toContain('host-path-volumes: Pod ops/agent /spec/volumes/0/hostPath');
  });

  test('kind and name narrow an exemption attached to a whole chart to one object', () => {
    const { chart } = chartWith(hostPathPod('agent'), hostPathPod('other'));
    Exemptions.of(chart).add(
      { control: Controls.HOST_PATH_VOLUMES, reason: REASON, kind: 'Pod', name: 'agent' },
      { control: Controls.VOLUME_TYPES, reason: REASON, kind: 'Pod', name: 'agent' },
    );
    const message = synthError(chart);
    expect(message).toContain('host-path-volumes: Pod ops/other');
    expect(message).not.toContain('Pod ops/agent');
  });

  test('a narrowed exemption that covers nothing is reported as unused', () => {
    const { chart, objects: [pod] } = chartWith(hostPathPod());
    Exemptions.of(pod).add(
      { control: Controls.HOST_PATH_VOLUMES, reason: REASON },
      { control: Controls.VOLUME_TYPES, reason: REASON },
      { control: Controls.PRIVILEGED, reason: REASON, kind: 'Deployment' },
    );
    synth(chart);
    const unused = Guard.unusedExemptions(chart).filter(e => e.scopePath === pod.node.path);
    expect(unused.map(e => [e.control.id, e.kind])).toEqual([['privileged', 'Deployment']]);
  });

  test.each([
    [{ pointer: 'spec/volumes/0' }, /pointer "spec\/volumes\/0" is not a JSON pointer; use RFC 6901 form starting with '\/'/],
    [{ pointer: '/a/~2' }, /pointer "\/a\/~2" is not a JSON pointer/],
    [{ pointerValue: { path: '/var/log' } }, /pointerValue is set without pointer/],
    [{ kind: '' }, /kind "" is not an object kind/],
    [{ name: ' agent' }, /name " agent" is not an object name/],
  ])('bad narrowing %j is refused with the scope, control and field', (narrowing, error) => {
    const chart = Testing.chart();
    expect(() => Exemptions.of(chart).add({ control: Controls.PRIVILEGED, reason: REASON, ...narrowing } as any))
      .toThrow(new RegExp(`^\\[test\\] exemptions\\[0\\] \\(privileged\\): ${error.source}`));
  });

  test('the same control twice with the same narrowing is refused; with different narrowing it is not', () => {
    const chart = Testing.chart();
    Exemptions.of(chart).add({ control: Controls.PRIVILEGED, reason: REASON, pointer: '/spec/a' });
    expect(() => Exemptions.of(chart).add({ control: Controls.PRIVILEGED, reason: REASON, pointer: '/spec/b' })).not.toThrow();
    expect(() => Exemptions.of(chart).add({ control: Controls.PRIVILEGED, reason: REASON, pointer: '/spec/a' }))
      .toThrow(/already exempts privileged with the same kind, name and pointer/);
  });

  test('the check CLI honours narrowed exemption annotations (a list) like the library', () => {
    const pod: any = hostPathPod();
    pod.metadata.annotations = {
      'exemptions.cdk8s-hardened.io/host-path-volumes': JSON.stringify([{ reason: REASON, pointer: '/spec/volumes/0' }]),
      'exemptions.cdk8s-hardened.io/volume-types': JSON.stringify({ reason: REASON, pointer: '/spec/volumes/0' }),
    };
    const result = check([{ json: pod, file: 'pod.yaml', line: 1 }], { format: 'text', pssVersion: PssVersion.V1_27, cwd: '.' });
    const failing = result.report.findings.filter(f => f.status === FindingStatus.FAIL && ['host-path-volumes', 'volume-types'].includes(f.controlId));
    expect(failing.map(f => [f.controlId, f.pointer])).toEqual([
      ['host-path-volumes', '/spec/volumes/1/hostPath'], ['volume-types', '/spec/volumes/1/hostPath'],
    ]);
  });
});

describe('reasons must say something', () => {
  test.each([
    'exempt read-only-root-filesystem',
    'read-only root filesystem exemption',
    'Containers have a read-only root filesystem',
    'will fix this later, TODO',
    'asdfasdfasdfasdfasdfasdf',
    'lorem ipsum dolor sit amet consectetur',
    '12345678901234567890',
    'needed for now, will fix later',
    'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    // Issue 12: filler that passed the old three-word rule.
    'qux quux corge grault garply',
    'mkay whatever dunno lol',
    'blah blah meh nah yolo',
    'foo bar baz qux quux, lol, whatever',
    // Keyboard and alphabet runs, consonant strings, one word repeated.
    'asdf qwer zxcv hjkl uiop poiu',
    'sdfgh wertyu xcvbn abcde lkjhg',
    'xkcd pqrst bcdfgh zzzz brrrr',
    'deploy deploy deploy deploy deploy',
    // Three meaningful words are no longer enough.
    'vendor image rewrites it, so be it',
    // Words of the control itself do not count.
    'containers run with a writable root filesystem, read only not',
  ])('%j is refused', reason => {
    const chart = Testing.chart();
    expect(() => Exemptions.of(chart).add({ control: Controls.READ_ONLY_ROOT_FILESYSTEM, reason }))
      .toThrow(/^\[test\] exemptions\[0\] \(read-only-root-filesystem\): reason .* is (a placeholder|\d+ characters long|only repeats)/);
  });

  test.each([
    REASON,
    'legacy Java agent rewrites its own jar cache under /opt/app at startup',
    'vendor image expects to write /etc/nginx/conf.d; tracked in VEND-42',
  ])('%j is accepted', reason => {
    expect(() => Exemptions.of(Testing.chart()).add({ control: Controls.READ_ONLY_ROOT_FILESYSTEM, reason })).not.toThrow();
  });
});

describe('reason boundaries', () => {
  const add = (reason: string) => () => Exemptions.of(Testing.chart()).add({ control: Controls.READ_ONLY_ROOT_FILESYSTEM, reason });

  test('19 characters are refused, 20 accepted (four meaningful words each)', () => {
    expect('nginx write pid log').toHaveLength(19);
    expect(add('nginx write pid log')).toThrow('reason "nginx write pid log" is 19 characters long; say why this weakening is acceptable here (at least 20 characters)');
    expect('nginx writes pid log').toHaveLength(20);
    expect(add('nginx writes pid log')).not.toThrow();
  });

  test('four distinct meaningful words pass, three do not; the refusal lists the words it counted', () => {
    expect(add('nginx writes its pid file, ok')).not.toThrow();
    expect(add('nginx writes its pid, ok, ok, ok')).toThrow(/is a placeholder \(3 meaningful words: nginx, writes, pid; at least 4 needed/);
  });

  test('vowel-less abbreviations count, digits and one-letter words do not', () => {
    expect(add('tls keys cached on disk')).not.toThrow();
    expect(add('1234 5678 a b c d e f g h pid')).toThrow(/\(1 meaningful word: pid;/);
  });
});

describe('expiry boundaries (CDK8S_HARDENED_TODAY pins today)', () => {
  const saved = process.env.CDK8S_HARDENED_TODAY;
  beforeEach(() => {
    process.env.CDK8S_HARDENED_TODAY = '2030-06-15';
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.CDK8S_HARDENED_TODAY; else process.env.CDK8S_HARDENED_TODAY = saved;
  });
  /** The hostPath pod, its host-path-volumes findings exempted until `expires`. */
  const synthExpiring = (expires: string) => {
    const { chart } = chartWith(hostPathPod());
    Exemptions.of(chart).add(
      { control: Controls.HOST_PATH_VOLUMES, reason: REASON, expires },
      { control: Controls.VOLUME_TYPES, reason: REASON },
    );
    return synth(chart);
  };

  test('an exemption expiring today is valid; one that expired yesterday fails synthesis', () => {
    expect(synthExpiring('2030-06-15')[0].spec.volumes[0].hostPath).toEqual({ path: '/var/log' });
    expect(() => synthExpiring('2030-06-14')).toThrow(/host-path-volumes: exemption attached at \[test\] expired on 2030-06-14/);
  });

  test('exactly 365 days ahead is accepted, one day past is refused naming the latest date', () => {
    const add = (expires: string) => () => Exemptions.of(Testing.chart())
      .add({ control: Controls.READ_ONLY_ROOT_FILESYSTEM, reason: REASON, expires });
    expect(add('2031-06-15')).not.toThrow();
    expect(add('2031-06-16')).toThrow('[test] exemptions[0] (read-only-root-filesystem): expires "2031-06-16" is more than 365 days after today '
      + '(2030-06-15); an exemption runs at most until 2031-06-15');
    expect(add('9999-12-31')).toThrow(/expires "9999-12-31" is more than 365 days after today/);
  });

  test('the horizon counts days, across a leap day too', () => {
    process.env.CDK8S_HARDENED_TODAY = '2027-06-15';
    const add = (expires: string) => () => Exemptions.of(Testing.chart())
      .add({ control: Controls.READ_ONLY_ROOT_FILESYSTEM, reason: REASON, expires });
    expect(add('2028-06-14')).not.toThrow();
    expect(add('2028-06-15')).toThrow(/at most until 2028-06-14/);
  });

  test('the check CLI refuses a far expiry in an annotation', () => {
    const pod = hostPathPod();
    pod.metadata = { ...pod.metadata, annotations: { 'exemptions.cdk8s-hardened.io/host-path-volumes': JSON.stringify({ reason: REASON, expires: '9999-12-31' }) } } as any;
    const result = check([{ json: pod, file: 'pod.yaml', line: 1 }], { format: 'json', pssVersion: PssVersion.V1_27, cwd: '.' });
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.output).exemptionProblems.join('\n')).toMatch(/expires "9999-12-31" is more than 365 days after today \(2030-06-15\)/);
  });
});

describe('pointer \'\' (the whole object) is refused', () => {
  test('in code, naming the scope, control, field and fix', () => {
    expect(() => Exemptions.of(Testing.chart()).add({ control: Controls.PRIVILEGED, reason: REASON, pointer: '' }))
      .toThrow('[test] exemptions[0] (privileged): pointer \'\' is the whole object, not a place in it; give the pointer of the reviewed field, '
        + 'e.g. \'/spec/template/spec/volumes/2\', or leave pointer out (and narrow with kind and name) if the whole object is meant');
  });

  test('in an annotation read by the check CLI', () => {
    const pod = hostPathPod();
    (pod.metadata as any).annotations = { 'exemptions.cdk8s-hardened.io/host-path-volumes': JSON.stringify({ reason: REASON, pointer: '' }) };
    const result = check([{ json: pod, file: 'pod.yaml', line: 1 }], { format: 'json', pssVersion: PssVersion.V1_27, cwd: '.' });
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.output).exemptionProblems.join('\n')).toMatch(/annotation exemptions.cdk8s-hardened.io\/host-path-volumes \(host-path-volumes\): pointer '' is the whole object/);
  });
});

describe('a writable hostPath mount is a finding at the mount, not covered by an exemption pinned to the volume', () => {
  test('the volume exemption covers the volume; the writable mount fails at volumeMounts/N/readOnly', () => {
    const pod = hostPathPod();
    pod.spec.containers[0].volumeMounts[1] = { name: 'sock', mountPath: '/run/x.sock' } as any;
    const { chart, objects: [object] } = chartWith(pod);
    Exemptions.of(object).add(...[Controls.HOST_PATH_VOLUMES, Controls.VOLUME_TYPES].flatMap(control => [0, 1].map(index => (
      { control, reason: `${REASON} (volume ${index})`, pointer: `/spec/volumes/${index}` }))));
    const message = synthError(chart);
    expect(message).toContain('host-path-volumes: Pod ops/agent /spec/containers/0/volumeMounts/1/readOnly: containers[0] \'agent\' mounts hostPath '
      + 'volume \'sock\' /run/x.sock writable at "/run/x.sock": volumeMounts[1].readOnly is unset, not true; Set volumeMounts[1].readOnly: true');
    expect(message).not.toContain('/spec/volumes/');
    expect(message).not.toContain('volumeMounts/0');
  });

  test('an exemption at the mount\'s pointer covers it (a reviewed writable mount)', () => {
    const pod = hostPathPod();
    pod.spec.containers[0].volumeMounts[1] = { name: 'sock', mountPath: '/run/x.sock' } as any;
    const { chart, objects: [object] } = chartWith(pod);
    Exemptions.of(object).add(
      { control: Controls.HOST_PATH_VOLUMES, reason: REASON, pointer: '/spec/volumes' },
      { control: Controls.HOST_PATH_VOLUMES, reason: 'agent writes the runtime socket it serves to the node; reviewed in SEC-9', pointer: '/spec/containers/0/volumeMounts/1/readOnly' },
      { control: Controls.VOLUME_TYPES, reason: REASON },
    );
    expect(synth(chart)[0].spec.containers[0].volumeMounts[1].readOnly).toBeUndefined();
    expect(Guard.findings(chart).filter(f => f.controlId === 'host-path-volumes').map(f => [f.pointer, f.status])).toEqual([
      ['/spec/volumes/0/hostPath', FindingStatus.EXEMPT],
      ['/spec/volumes/1/hostPath', FindingStatus.EXEMPT],
      ['/spec/containers/0/volumeMounts/1/readOnly', FindingStatus.EXEMPT],
    ]);
  });
});
