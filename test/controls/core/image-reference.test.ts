import { parseImageReference } from '../../../src/controls/core/image-reference';

const DIGEST = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

describe('parseImageReference', () => {
  test.each([
    ['nginx', { repository: 'nginx' }],
    ['nginx:1.25', { repository: 'nginx', tag: '1.25' }],
    ['library/nginx:1.25', { repository: 'library/nginx', tag: '1.25' }],
    ['team/app', { repository: 'team/app' }],
    ['docker.io/library/nginx:latest', { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' }],
    ['registry.example.com/team/app:1.2.3', { registry: 'registry.example.com', repository: 'team/app', tag: '1.2.3' }],
    // A port is not a tag.
    ['registry:5000/app', { registry: 'registry:5000', repository: 'app' }],
    ['registry:5000/app:v2', { registry: 'registry:5000', repository: 'app', tag: 'v2' }],
    ['localhost/app:dev', { registry: 'localhost', repository: 'app', tag: 'dev' }],
    ['localhost:5000/team/app', { registry: 'localhost:5000', repository: 'team/app' }],
    ['[::1]:5000/app:1', { registry: '[::1]:5000', repository: 'app', tag: '1' }],
    // Uppercase is allowed in the registry host and the tag, not in the repository.
    ['Registry.Example.com/app:V1.0', { registry: 'Registry.Example.com', repository: 'app', tag: 'V1.0' }],
    [`app@${DIGEST}`, { repository: 'app', digest: DIGEST }],
    [`registry.example.com/team/app:1.2.3@${DIGEST}`, { registry: 'registry.example.com', repository: 'team/app', tag: '1.2.3', digest: DIGEST }],
    [`registry:5000/app@${DIGEST}`, { registry: 'registry:5000', repository: 'app', digest: DIGEST }],
    ['gcr.io/my-project/my_app__x/a.b-c:1.0_rc-1', { registry: 'gcr.io', repository: 'my-project/my_app__x/a.b-c', tag: '1.0_rc-1' }],
    // Without a '.', ':' or 'localhost', a first component is a Docker Hub namespace, not a registry.
    ['registry/app', { repository: 'registry/app' }],
  ])('parses %s', (image, expected) => {
    expect(parseImageReference(image)).toEqual(expected);
  });

  test.each([
    [''],
    ['Nginx'],
    ['registry.example.com/Team/app:1'],
    ['app:'],
    ['app:-bad'],
    [`app:${'a'.repeat(129)}`],
    ['app@sha256:abc'],
    ['app@sha256:' + 'A'.repeat(64)],
    ['app@md5:0123456789abcdef0123456789abcdef'],
    ['app@' + DIGEST + '@' + DIGEST],
    ['registry.example.com/'],
    ['/app'],
    ['app//x'],
    ['app_/x'],
    ['-registry.example.com/app'],
    ['registry.example.com:port/app'],
    [' app'],
    ['app:1 '],
    ['0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'],
    [`registry.example.com/${'a'.repeat(240)}`],
  ])('rejects %j', image => {
    expect(parseImageReference(image)).toBeUndefined();
  });

  test('tolerates non-string input', () => {
    expect(parseImageReference(undefined as any)).toBeUndefined();
    expect(parseImageReference(42 as any)).toBeUndefined();
    expect(parseImageReference(null as any)).toBeUndefined();
  });
});
