import { ApiObject, JsonPatch } from 'cdk8s';
import * as jsYaml from 'js-yaml';
import { Attempt, catalogue, compliantPodSpec, defaultDeny, privilegedPod } from './harness';
import { NodeAgentChart } from '../../../examples/node-agent/main';
import { Controls, ExemptionProps, Exemptions } from '../../../src';

const REVIEWED = 'log shipper reads the node journal under /var/log through this volume only';

/** A Pod with a hostPath volume mounted writable (no readOnly), otherwise compliant. */
function writableHostPathPod(): any {
  const spec = compliantPodSpec();
  spec.volumes = [{ name: 'node-logs', hostPath: { path: '/var/log', type: 'Directory' } }];
  spec.containers[0].volumeMounts = [{ name: 'node-logs', mountPath: '/var/log' }];
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'agent', namespace: 'logging' }, spec };
}

/** `pod` with `exemptions`: attached in code for the guard, recorded as annotations for `check`. */
function exempted(name: string, pod: any, exemptions: ExemptionProps[], expect: RegExp): Attempt {
  const annotations = Object.fromEntries(exemptions.map(({ control, ...rest }) => [`exemptions.cdk8s-hardened.io/${control.id}`, JSON.stringify(rest)]));
  return {
    name,
    guard: chart => {
      new ApiObject(chart, 'policy', defaultDeny(pod.metadata.namespace));
      Exemptions.of(new ApiObject(chart, 'object', pod)).add(...exemptions);
    },
    yaml: [defaultDeny(pod.metadata.namespace), { ...pod, metadata: { ...pod.metadata, annotations } }].map(o => jsYaml.dump(o)).join('---\n'),
    expect,
  };
}

/** The volume exemptions the node-agent example uses, pinned to the volume (here at index 0). */
const VOLUME_EXEMPTIONS: ExemptionProps[] = [Controls.HOST_PATH_VOLUMES, Controls.VOLUME_TYPES].map(control => ({
  control,
  reason: `${REVIEWED} (never writable)`,
  pointer: '/spec/volumes/0',
  pointerValue: { name: 'node-logs', hostPath: { path: '/var/log', type: 'Directory' } },
}));

// Issue 12, class 8: exemptions narrower than their words.
catalogue('8. exemptions narrower than their words', [
  {
    name: 'the node agent\'s read-only /var/log mount made writable by a JSON patch',
    guard: (_chart, app) => {
      const agent = new NodeAgentChart(app, 'node-agent');
      ApiObject.of(agent.agent).addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/volumeMounts/2/readOnly', false));
    },
    expect: /host-path-volumes: DaemonSet logging\/\S+ \/spec\/template\/spec\/containers\/0\/volumeMounts\/2\/readOnly: containers\[0\] 'shipper' mounts hostPath volume 'node-logs' \/var\/log writable/,
    only: 'guard',
  },
  exempted('a writable hostPath mount under exemptions pinned to the volume', writableHostPathPod(), VOLUME_EXEMPTIONS,
    /host-path-volumes: Pod logging\/agent \/spec\/containers\/0\/volumeMounts\/0\/readOnly: .*\.readOnly is unset, not true/),
  exempted('readOnly: "true" (a string) under exemptions pinned to the volume', (() => {
    const pod = writableHostPathPod();
    pod.spec.containers[0].volumeMounts[0].readOnly = 'true';
    return pod;
  })(), VOLUME_EXEMPTIONS, /volumeMounts\/0\/readOnly: .*\.readOnly is "true", not true/),
  exempted('an exemption at pointer \'\' (the whole object) looking narrowed', privilegedPod(),
    [{ control: Controls.PRIVILEGED, reason: 'debug image of the storage vendor, reviewed by platform', pointer: '' }],
    /pointer '' is the whole object, not a place in it/),
]);
