import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Cron, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as yaml from 'js-yaml';
import {
  Controls, Guard, HardenedCronJob, HardenedDaemonSet, HardenedDefaults, HardenedDeployment, HardenedJob, HardenedStatefulSet, Platform, PssVersion,
} from '../../src';
import { runCli } from '../../src/cli/program';
import { evaluateManifest } from '../../src/guard/evaluate';
import { DIGEST_IMAGE, expiresIn, podSpec, REASON, synth, synthError } from '../helpers/synth';

type Kind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob';
const KINDS: Kind[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];

function chartOn(platform?: Platform) {
  const chart = Testing.chart();
  if (platform) HardenedDefaults.set(chart, { platform });
  return chart;
}

function workload(chart: any, kind: Kind, extra: any = {}) {
  const props = { metadata: { namespace: 'shop' }, containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }], ...extra };
  switch (kind) {
    case 'Deployment': return new HardenedDeployment(chart, 'w', props);
    case 'StatefulSet': return new HardenedStatefulSet(chart, 'w', { volumeClaims: [{ name: 'data', mountPath: '/data', storage: Size.gibibytes(1) }], ...props });
    case 'DaemonSet': return new HardenedDaemonSet(chart, 'w', props);
    case 'Job': return new HardenedJob(chart, 'w', props);
    case 'CronJob': return new HardenedCronJob(chart, 'w', { schedule: Cron.daily(), ...props });
  }
}

describe('Platform.OPENSHIFT (restricted-v2 SCC)', () => {
  test.each(KINDS)('a %s leaves runAsUser, runAsGroup and fsGroup to the SCC and keeps the rest of the hardening, with zero findings', kind => {
    const chart = chartOn(Platform.OPENSHIFT);
    workload(chart, kind);
    const manifest = synth(chart).find(m => m.kind === kind);
    const pod = podSpec(manifest);
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of pod.containers) {
      expect(c.securityContext).toEqual({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
    }
    expect(JSON.stringify(manifest)).not.toMatch(/runAsUser|runAsGroup|fsGroup/);
    expect(Guard.findings(chart)).toEqual([]);
  });

  test('high-uid-gid does not apply there and says why; on a generic cluster the same pod fails it', () => {
    const chart = chartOn(Platform.OPENSHIFT);
    workload(chart, 'Deployment');
    const manifest = synth(chart).find(m => m.kind === 'Deployment');
    // The evaluation (guard and check alike) skips a control the platform makes moot, and reports it as not applicable.
    const evaluated = (platform?: Platform) => evaluateManifest(manifest, { pssVersion: PssVersion.V1_27, platform }, [], { constructPath: 'openshift' }).evaluation;
    expect(evaluated(Platform.OPENSHIFT).applicableControls).not.toContain('high-uid-gid');
    expect(evaluated(Platform.OPENSHIFT).findings.filter(f => f.controlId === 'high-uid-gid')).toEqual([]);
    for (const platform of [undefined, Platform.GENERIC]) {
      expect(evaluated(platform).applicableControls).toContain('high-uid-gid');
      expect(evaluated(platform).findings.filter(f => f.controlId === 'high-uid-gid').length).toBeGreaterThan(0);
    }
    expect(Controls.HIGH_UID_GID.check(manifest, { pssVersion: PssVersion.V1_27 }).length).toBeGreaterThan(0);
    expect(Platform.OPENSHIFT.reasonNotApplicable('high-uid-gid')).toMatch(/assigns every pod a uid .* from its namespace's range/);
    expect(Platform.OPENSHIFT.reasonNotApplicable('run-as-non-root')).toBeUndefined();
    // runAsNonRoot still guards uid 0 there.
    const root = JSON.parse(JSON.stringify(manifest));
    root.spec.template.spec.securityContext.runAsNonRoot = false;
    delete root.spec.template.spec.containers[0].securityContext.runAsNonRoot;
    expect(Controls.RUN_AS_NON_ROOT.check(root, { pssVersion: PssVersion.V1_27, platform: Platform.OPENSHIFT }).length).toBeGreaterThan(0);
  });

  test.each([
    [{ runAsUser: 101 }, /\[test\/w\] runAsUser \(or imageUser\): 101 cannot be set on OpenShift \(restricted-v2 SCC\): its SCC assigns/],
    [{ runAsGroup: 20000 }, /runAsGroup \(or imageUser\): 20000 cannot be set on OpenShift/],
    [{ securityContext: { fsGroup: 20000 } }, /securityContext.fsGroup: 20000 cannot be set on OpenShift/],
  ])('a fixed id there is refused, not dropped: %j', (props, message) => {
    expect(() => workload(chartOn(Platform.OPENSHIFT), 'Deployment', props)).toThrow(message);
  });

  test('the generic default renders the fixed ids as before', () => {
    const chart = chartOn();
    workload(chart, 'Deployment');
    expect(podSpec(synth(chart).find(m => m.kind === 'Deployment')).securityContext).toMatchObject({ runAsUser: 65532, runAsGroup: 65532 });
    expect(HardenedDefaults.of(chart).platform).toBe(Platform.GENERIC);
  });
});

describe('Platform.GKE_AUTOPILOT (general-purpose class)', () => {
  test.each(KINDS)('a %s with the default preset is within Autopilot\'s bounds: zero findings, ids kept', kind => {
    const chart = chartOn(Platform.GKE_AUTOPILOT);
    workload(chart, kind);
    const pod = podSpec(synth(chart).find(m => m.kind === kind));
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(Platform.GKE_AUTOPILOT.resourceProblems(pod)).toEqual([]);
    expect(Guard.findings(chart)).toEqual([]);
  });

  test('requests outside the CPU:memory ratio, below the minimum or above the maximum fail synthesis through resource-requests', () => {
    const resources = (cpu: number, memory: number) => ({
      cpu: { request: kplus.Cpu.millis(cpu), limit: kplus.Cpu.millis(cpu) },
      memory: { request: Size.mebibytes(memory), limit: Size.mebibytes(memory) },
    });
    const lopsided = chartOn(Platform.GKE_AUTOPILOT);
    workload(lopsided, 'Deployment', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080, resources: resources(2000, 512) }] });
    expect(synthError(lopsided)).toMatch(/resource-requests: Deployment shop\/.* \/spec\/template\/spec\/containers: on GKE Autopilot \(general-purpose compute class\), the pod requests 2000m cpu and 512Mi memory, 0.25 GiB per vCPU, outside Autopilot's 1:6.5 range .* raise memory to at least 2Gi or lower cpu; Size the pod/);
    const tiny = chartOn(Platform.GKE_AUTOPILOT);
    workload(tiny, 'Deployment', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080, resources: resources(25, 40) }] });
    expect(synthError(tiny)).toMatch(/the pod requests 25m cpu, below Autopilot's minimum 50m .* the pod requests 40Mi memory, below Autopilot's minimum 52Mi/s);
    const huge = chartOn(Platform.GKE_AUTOPILOT);
    workload(huge, 'Deployment', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080, resources: resources(32000, 120 * 1024) }] });
    expect(synthError(huge)).toMatch(/the pod requests 32000m cpu, above Autopilot's maximum 30000m for the general-purpose class \(Autopilot rejects the pod\)/);
    // The same lopsided pod on a generic cluster is fine.
    const generic = chartOn();
    workload(generic, 'Deployment', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080, resources: resources(2000, 512) }] });
    expect(Guard.findings(generic).filter(f => f.controlId === 'resource-requests')).toEqual([]);
  });

  test('what Autopilot rejects is refused even when an exemption lets it through the guard', () => {
    const chart = chartOn(Platform.GKE_AUTOPILOT);
    workload(chart, 'Deployment', {
      containers: [{ image: DIGEST_IMAGE, portNumber: 8080, securityContext: { capabilities: { add: ['NET_RAW' as any] } } }],
      exemptions: [Controls.CAPABILITIES_DROP_ALL, Controls.CAPABILITIES_BASELINE]
        .map(control => ({ control, reason: REASON, expires: expiresIn(30) })),
    });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/w\] GKE Autopilot \(general-purpose compute class\) would reject this pod: container 'main' adds capability NET_RAW, which Autopilot rejects/);
    expect(Platform.GKE_AUTOPILOT.admissionProblems({ containers: [{ name: 'a', securityContext: { privileged: true } }], volumes: [{ name: 'h', hostPath: { path: '/etc' } }, { name: 'l', hostPath: { path: '/var/log/pods' } }] }))
      .toEqual(["container 'a' is privileged, which Autopilot rejects", "volume 'h' is a hostPath volume of /etc; Autopilot only admits hostPath volumes under /var/log"]);
  });

  test('any added capability outside Autopilot\'s list is refused (SYS_ADMIN, NET_ADMIN, ALL), the listed ones pass', () => {
    const adding = (...add: string[]) => Platform.GKE_AUTOPILOT.admissionProblems({ containers: [{ name: 'a', securityContext: { capabilities: { add } } }] });
    for (const cap of ['SYS_ADMIN', 'NET_ADMIN', 'ALL', 'CAP_SYS_MODULE', 'BPF', 'net_raw']) {
      expect(adding(cap)).toEqual([expect.stringMatching(new RegExp(`^container 'a' adds capability ${cap}, which Autopilot rejects \\(it admits only AUDIT_WRITE, .*SYS_PTRACE\\)$`))]);
    }
    expect(adding('NET_BIND_SERVICE', 'CAP_CHOWN', 'SYS_PTRACE', 'setuid')).toEqual([]);
    expect(Platform.GENERIC.admissionProblems({ containers: [{ name: 'a', securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }] })).toEqual([]);
  });

  test('host namespaces are refused: hostNetwork, hostPID, hostIPC', () => {
    expect(Platform.GKE_AUTOPILOT.admissionProblems({ hostNetwork: true, hostPID: true, hostIPC: true, containers: [] })).toEqual([
      'the pod sets hostNetwork: true, which Autopilot rejects', 'the pod sets hostPID: true, which Autopilot rejects',
      'the pod sets hostIPC: true, which Autopilot rejects',
    ]);
    expect(Platform.GKE_AUTOPILOT.admissionProblems({ hostNetwork: false, containers: [] })).toEqual([]);
    const chart = chartOn(Platform.GKE_AUTOPILOT);
    workload(chart, 'Deployment', {
      hostNetwork: true,
      containers: [{ image: DIGEST_IMAGE, portNumber: 8080, securityContext: { capabilities: { add: ['SYS_ADMIN' as any] } } }],
      exemptions: [Controls.HOST_NAMESPACES, Controls.CAPABILITIES_DROP_ALL, Controls.CAPABILITIES_BASELINE]
        .map(control => ({ control, reason: REASON, expires: expiresIn(30) })),
    });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/w\] GKE Autopilot \(general-purpose compute class\) would reject this pod: the pod sets hostNetwork: true, which Autopilot rejects; container 'main' adds capability SYS_ADMIN, which Autopilot rejects/);
  });
});

describe('HardenedDefaults and the check CLI take the platform', () => {
  test('a platform that is not a Platform is refused', () => {
    expect(() => HardenedDefaults.set(Testing.chart(), { platform: 'openshift' as any })).toThrow(/platform "openshift" is not a Platform; use Platform.OPENSHIFT, Platform.GKE_AUTOPILOT or Platform.GENERIC/);
    expect(Platform.of('gke-autopilot')).toBe(Platform.GKE_AUTOPILOT);
    expect(() => Platform.of('eks')).toThrow(/platform "eks" is not a platform this library knows; use one of generic, openshift, gke-autopilot/);
  });

  test('check --platform openshift passes the OpenShift rendering that generic fails on high-uid-gid; an unknown platform is a usage error', () => {
    const chart = chartOn(Platform.OPENSHIFT);
    workload(chart, 'Deployment');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-'));
    const file = path.join(dir, 'app.yaml');
    fs.writeFileSync(file, Testing.synth(chart).map(m => yaml.dump(m)).join('---\n'));
    const run = (...args: string[]) => {
      let output = '';
      const code = runCli(['node', 'cdk8s-hardened', 'check', file, ...args], { stdout: t => { output += t; }, stderr: t => { output += t; } });
      return { code, output };
    };
    expect(run('--platform', 'openshift').code).toBe(0);
    const generic = run();
    expect(generic.code).toBe(1);
    expect(generic.output).toMatch(/high-uid-gid/);
    expect(run('--platform', 'gke-autopilot').code).toBe(1);
    expect(run('--platform', 'eks').code).toBe(2);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
