import * as assert from 'node:assert/strict';
import { UserFacingError } from '../../src/core/errors';
import {
  PushStreamParser, artifactRegistryRepository, isGoogleRegistry, parseImageReference, pushFailure,
} from '../../src/docker/pushStream';
import type { PushProgress } from '../../src/docker/types';

const json = (o: object) => `${JSON.stringify(o)}\n`;
const DIGEST = 'sha256:cf5863d4d98a7625b9c1486b9989f32137f947006076d802388f00e14d78d405';

// What Docker 20.10 sent pushing a busybox image with one extra file to a local registry (distribution 2.8).
const FIRST_PUSH = [
  { status: 'The push refers to repository [127.0.0.1:5000/probe/img]' },
  { status: 'Preparing', progressDetail: {}, id: '14fbaf2b5ff1' },
  { status: 'Preparing', progressDetail: {}, id: '24ec435a0747' },
  { status: 'Pushing', progressDetail: { current: 19968, total: 1984241 }, progress: '[>   ]  19.97kB/1.984MB', id: '24ec435a0747' },
  { status: 'Pushing', progressDetail: { current: 512, total: 8 }, progress: '[=>]     512B', id: '14fbaf2b5ff1' },
  { status: 'Pushing', progressDetail: { current: 2048, total: 8 }, progress: '[=>]  2.048kB', id: '14fbaf2b5ff1' },
  { status: 'Pushed', progressDetail: {}, id: '14fbaf2b5ff1' },
  { status: 'Pushing', progressDetail: { current: 2129920, total: 1984241 }, progress: '[=>]   2.13MB', id: '24ec435a0747' },
  { status: 'Pushed', progressDetail: {}, id: '24ec435a0747' },
  { status: `v1: digest: ${DIGEST} size: 735` },
  { progressDetail: {}, aux: { Tag: 'v1', Digest: DIGEST, Size: 735 } },
].map(json).join('');

const UNCHANGED_PUSH = [
  { status: 'The push refers to repository [127.0.0.1:5000/probe/img]' },
  { status: 'Preparing', progressDetail: {}, id: '14fbaf2b5ff1' },
  { status: 'Preparing', progressDetail: {}, id: '24ec435a0747' },
  { status: 'Layer already exists', progressDetail: {}, id: '24ec435a0747' },
  { status: 'Layer already exists', progressDetail: {}, id: '14fbaf2b5ff1' },
  { status: `v1: digest: ${DIGEST} size: 735` },
  { progressDetail: {}, aux: { Tag: 'v1', Digest: DIGEST, Size: 735 } },
].map(json).join('');

const errorEvent = (message: string) => json({ errorDetail: { message }, error: message });

function parse(text: string, chunkSize = text.length): PushStreamParser {
  const parser = new PushStreamParser();
  for (let i = 0; i < text.length; i += chunkSize) parser.pushChunk(Buffer.from(text.slice(i, i + chunkSize)));
  parser.end();
  return parser;
}

describe('push stream parser', () => {
  it('counts uploaded layers and their bytes, and reads the digest', () => {
    const progress: PushProgress[] = [];
    const parser = new PushStreamParser((p) => progress.push(p));
    parser.pushChunk(FIRST_PUSH);
    parser.end();
    assert.equal(parser.digest, DIGEST);
    assert.equal(parser.tag, 'v1');
    assert.equal(parser.error, undefined);
    assert.equal(parser.layersPushed, 2);
    assert.equal(parser.layersReused, 0);
    // per layer max(total, last current): 2129920 for busybox, 2048 for the tiny layer (total says 8)
    assert.equal(parser.pushedBytes, 2129920 + 2048);
    assert.deepEqual(progress[3], { layer: '24ec435a0747', status: 'Pushing', current: 19968, total: 1984241 });
    assert.deepEqual(progress[0], { layer: undefined, status: 'The push refers to repository [127.0.0.1:5000/probe/img]', current: undefined, total: undefined });
  });

  it('reports 0 bytes when the registry already has every layer', () => {
    const parser = parse(UNCHANGED_PUSH);
    assert.equal(parser.pushedBytes, 0);
    assert.equal(parser.layersPushed, 0);
    assert.equal(parser.layersReused, 2);
    assert.equal(parser.digest, DIGEST);
  });

  it('counts blobs mounted from another repository as reused', () => {
    const parser = parse([
      { status: 'Preparing', id: 'aaa' }, { status: 'Mounted from team/other', id: 'aaa' },
      { status: 'Preparing', id: 'bbb' }, { status: 'Pushing', progressDetail: { current: 100, total: 300 }, id: 'bbb' },
      { status: 'Pushed', id: 'bbb' }, { status: `latest: digest: ${DIGEST} size: 525` },
    ].map(json).join(''));
    assert.equal(parser.layersReused, 1);
    assert.equal(parser.layersPushed, 1);
    assert.equal(parser.pushedBytes, 300);
    assert.equal(parser.digest, DIGEST, 'digest from the status line when there is no aux event');
    assert.equal(parser.tag, 'latest');
  });

  it('handles objects split across chunks and a last object without newline', () => {
    for (const size of [1, 7, 64]) {
      const parser = parse(FIRST_PUSH.trimEnd(), size);
      assert.equal(parser.digest, DIGEST, `chunk size ${size}`);
      assert.equal(parser.layersPushed, 2);
    }
  });

  it('keeps the first error event, which arrives inside the 200 stream', () => {
    const parser = parse([
      json({ status: 'The push refers to repository [127.0.0.1:5001/probe/img]' }),
      json({ status: 'Preparing', progressDetail: {}, id: '14fbaf2b5ff1' }),
      errorEvent('unauthorized: authentication required'),
      errorEvent('later error'),
    ].join(''));
    assert.deepEqual(parser.error, { message: 'unauthorized: authentication required', code: undefined });
    assert.equal(parser.digest, undefined);
  });

  it('passes non-JSON lines on as status instead of failing', () => {
    const progress: PushProgress[] = [];
    const parser = new PushStreamParser((p) => progress.push(p));
    parser.pushChunk('<html>502 Bad Gateway</html>\n');
    assert.deepEqual(progress, [{ status: '<html>502 Bad Gateway</html>' }]);
  });
});

describe('image references', () => {
  it('splits registry, repository and tag', () => {
    assert.deepEqual(parseImageReference('127.0.0.1:5000/team/app:v1'), { registry: '127.0.0.1:5000', repository: '127.0.0.1:5000/team/app', tag: 'v1' });
    assert.deepEqual(parseImageReference('127.0.0.1:5000/app'), { registry: '127.0.0.1:5000', repository: '127.0.0.1:5000/app', tag: 'latest' });
    assert.deepEqual(parseImageReference('us-central1-docker.pkg.dev/p/r/app:3f2a9c1-dirty'),
      { registry: 'us-central1-docker.pkg.dev', repository: 'us-central1-docker.pkg.dev/p/r/app', tag: '3f2a9c1-dirty' });
    assert.deepEqual(parseImageReference('localhost/app:1'), { registry: 'localhost', repository: 'localhost/app', tag: '1' });
    assert.equal(parseImageReference('library/app:1').registry, 'docker.io');
    assert.equal(parseImageReference('app').registry, 'docker.io');
  });

  it('refuses digests, spaces and invalid tags', () => {
    for (const bad of ['', 'a b:1', `app@${DIGEST}`, 'app:-x', 'host:5000/app:']) {
      assert.throws(() => parseImageReference(bad), (e: unknown) => e instanceof UserFacingError && e.kind === 'invalidArgument', bad);
    }
  });

  it('finds the Artifact Registry repository of an image', () => {
    assert.deepEqual(artifactRegistryRepository('europe-west1-docker.pkg.dev/my-proj/images/app'),
      { location: 'europe-west1', project: 'my-proj', repository: 'images' });
    assert.equal(artifactRegistryRepository('europe-west1-docker.pkg.dev/my-proj/images'), undefined);
    assert.equal(artifactRegistryRepository('127.0.0.1:5000/p/r/app'), undefined);
    assert.ok(isGoogleRegistry('us-central1-docker.pkg.dev'));
    assert.ok(isGoogleRegistry('gcr.io') && isGoogleRegistry('eu.gcr.io'));
    assert.ok(!isGoogleRegistry('127.0.0.1:5000') && !isGoogleRegistry('notgcr.io'));
  });
});

describe('push failures', () => {
  const AR_IMAGE = 'us-central1-docker.pkg.dev/mentor-demo/apps/api:v1';

  it('401 on Artifact Registry names the writer role and fresh ADC', () => {
    const error = pushFailure('unauthorized: authentication failed', AR_IMAGE);
    assert.equal(error.kind, 'registryAuth');
    assert.match(error.message, /us-central1-docker\.pkg\.dev rejected the credentials/);
    assert.match(error.message, /roles\/artifactregistry\.writer/);
    assert.match(error.message, /gcloud auth application-default login/);
    assert.deepEqual(error.actions.map((a) => a.kind), ['copyText', 'retry']);
    assert.equal(error.detail, 'unauthorized: authentication failed');
  });

  it('401 and missing credentials on another registry say so without Google advice', () => {
    const wrong = pushFailure('unauthorized: authentication required', '127.0.0.1:5001/app:1');
    assert.equal(wrong.kind, 'registryAuth');
    assert.match(wrong.message, /127\.0\.0\.1:5001 rejected the credentials/);
    assert.doesNotMatch(wrong.message, /artifactregistry/);
    const none = pushFailure('no basic auth credentials', '127.0.0.1:5001/app:1');
    assert.equal(none.kind, 'registryAuth');
    assert.match(none.message, /asked for credentials and none were sent/);
  });

  it('403 on Artifact Registry names the role on the repository and a grant command', () => {
    const message = 'denied: Permission "artifactregistry.repositories.uploadArtifacts" denied on resource ' +
      '"projects/mentor-demo/locations/us-central1/repositories/apps" (or it may not exist)';
    const error = pushFailure(message, AR_IMAGE);
    assert.equal(error.kind, 'permissionDenied');
    assert.match(error.message, /roles\/artifactregistry\.writer\) on the repository apps \(us-central1, project mentor-demo\)/);
    const grant = error.actions.find((a) => a.kind === 'copyText');
    assert.ok(grant && grant.kind === 'copyText');
    assert.match(grant.text, /add-iam-policy-binding apps --location=us-central1 --project=mentor-demo .*--role=roles\/artifactregistry\.writer/);
    assert.equal(pushFailure('requested access to the resource is denied', 'docker.io/someone/app:1').kind, 'permissionDenied');
  });

  it('a disabled Artifact Registry API, a missing repository, a missing local image', () => {
    const disabled = pushFailure('denied: Artifact Registry API has not been used in project 123 before or it is disabled.', AR_IMAGE);
    assert.equal(disabled.kind, 'apiDisabled');
    assert.match(disabled.message, /Artifact Registry API is not enabled in project mentor-demo/);
    const missing = pushFailure('name unknown: Repository "apps" not found', AR_IMAGE);
    assert.equal(missing.kind, 'notFound');
    assert.match(missing.message, /gcloud artifacts repositories create apps --repository-format=docker --location=us-central1 --project=mentor-demo/);
    const local = pushFailure('An image does not exist locally with the tag: 127.0.0.1:5000/nope', '127.0.0.1:5000/nope:1');
    assert.equal(local.kind, 'notFound');
    assert.match(local.message, /Build \(and tag\) it first/);
  });

  it('an unreachable registry is a clear message', () => {
    const error = pushFailure('Get "http://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused', '127.0.0.1:5999/app:1');
    assert.equal(error.kind, 'unreachable');
    assert.match(error.message, /could not reach the registry 127\.0\.0\.1:5999/);
    const http = pushFailure('Get "https://reg.example:5000/v2/": http: server gave HTTP response to HTTPS client', 'reg.example:5000/app:1');
    assert.match(http.message, /insecure-registries/);
    assert.equal(pushFailure('something else', 'r.example/app:1').kind, 'operationFailed');
  });
});
