import * as kplus from 'cdk8s-plus-27';
import { ImageUser } from './image-user';
import { Controls } from '../controls/controls';
import { ExemptionProps } from '../guard/exemption';

/** Props with the ids as the core reads them. */
interface IdProps {
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly imageUser?: ImageUser;
}

/** runAsUser/runAsGroup with `imageUser` folded in; both given and different is an error. */
export function imageIds(path: string, props: IdProps): { runAsUser?: number; runAsGroup?: number } {
  const image = props.imageUser;
  if (image === undefined) return { runAsUser: props.runAsUser, runAsGroup: props.runAsGroup };
  if (!(image instanceof ImageUser)) {
    throw new Error(`[${path}] imageUser: ${JSON.stringify(image)} is not an ImageUser; use ImageUser.of(101, 'why the image needs uid 101')`);
  }
  for (const [field, own, fromImage] of [['runAsUser', props.runAsUser, image.uid], ['runAsGroup', props.runAsGroup, image.gid]] as const) {
    if (own !== undefined && fromImage !== undefined && own !== fromImage) {
      throw new Error(`[${path}] ${field}: ${own} conflicts with imageUser ${field === 'runAsUser' ? 'uid' : 'gid'} ${fromImage}; set only one of them`);
    }
  }
  return { runAsUser: props.runAsUser ?? image.uid, runAsGroup: props.runAsGroup ?? image.gid };
}

/** The high-uid-gid exemptions of an ImageUser, pinned to its values at the pod level of `workload`. */
export function imageUserExemptions(workload: kplus.Workload, image: ImageUser | undefined): ExemptionProps[] {
  if (image === undefined) return [];
  const spec = workload instanceof kplus.CronJob ? '/spec/jobTemplate/spec/template/spec' : '/spec/template/spec';
  return image._lowIds().map(([field, value]) => ({
    control: Controls.HIGH_UID_GID,
    reason: image.reason,
    ticket: image.ticket,
    expires: image.expires,
    pointer: `${spec}/securityContext/${field}`,
    pointerValue: value,
  }));
}
