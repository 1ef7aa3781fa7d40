import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { parseImageRequest, pngForName } from '../../src/api/images/images.js';
import { mockPng } from '../../src/api/images/png.js';
import { videoObject } from '../../src/api/videos/videos.js';
import { servedModels } from '../../src/server/models.js';
import { VideoJobs } from '../../src/state/video-jobs.js';

describe('video jobs', () => {
  const timing = { generationMs: 1000, expirySec: 60 };
  const jobs = new VideoJobs(60);
  const t0 = 1_700_000_000_000;
  const job = jobs.create({ model: 'sora-2', prompt: 'p', seconds: '4', size: '720x1280' }, 3, false, t0);
  const failing = jobs.create({ model: 'sora-2', prompt: 'p', seconds: '4', size: '720x1280' }, 3, true, t0);

  it('moves queued → in_progress (rising progress) → completed, or failed with an error', () => {
    const at = (ms: number, j = job) => videoObject(j, t0 + ms, timing, 'http://h');
    const table: [number, string, number][] = [
      [0, 'queued', 0],
      [99, 'queued', 0],
      [100, 'in_progress', 10],
      [500, 'in_progress', 50],
      [999, 'in_progress', 99],
      [1000, 'completed', 100],
    ];
    for (const [ms, status, progress] of table) {
      const v = at(ms);
      assert.deepEqual([v.status, v.progress], [status, progress], `at ${ms} ms`);
      assert.equal(v.completed_at === null, status !== 'completed');
      assert.equal('url' in v, status === 'completed');
    }
    assert.equal(at(1000).url, `http://h/v1/videos/${job.id}/content`);
    const failed = at(1000, failing);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error!.message, /could not be generated/);
    assert.equal(at(0).expires_at, Math.floor(t0 / 1000) + 60);
  });

  it('forgets a job at its expiry; remove deletes it; unknown ids are null', () => {
    assert.equal(jobs.get(job.id, t0 + 59_999)?.id, job.id);
    assert.equal(jobs.get(job.id, t0 + 60_000), null);
    assert.equal(jobs.remove(failing.id, t0 + 1)?.id, failing.id);
    assert.equal(jobs.get(failing.id, t0 + 2), null);
    assert.equal(jobs.get('video_nope'), null);
  });
});

describe('mock images', () => {
  it('are 32x32 PNGs, the same for the same seed and index, different otherwise; partials are coarser', () => {
    const a = PNG.sync.read(mockPng('00ff00ff00ff00ff', 0, 1, 1));
    assert.deepEqual([a.width, a.height], [32, 32]);
    assert.ok(mockPng('00ff00ff00ff00ff', 0, 1, 1).equals(mockPng('00ff00ff00ff00ff', 0, 1, 1)));
    assert.ok(!mockPng('00ff00ff00ff00ff', 1, 1, 1).equals(mockPng('00ff00ff00ff00ff', 0, 1, 1)));
    const partial = PNG.sync.read(mockPng('00ff00ff00ff00ff', 0, 0, 2));
    const distinct = (p: PNG): number =>
      new Set(Array.from({ length: 32 * 32 }, (_, i) => p.data.readUInt32BE(i * 4))).size;
    assert.ok(distinct(partial) < distinct(a), `${distinct(partial)} vs ${distinct(a)} colours`);
  });

  it('content names: only the ones the server hands out', () => {
    assert.ok(pngForName('00ff00ff00ff00ff-3.png'));
    for (const bad of ['../etc/passwd', 'x.png', '00ff00ff00ff00ff-3.jpg', '00ff00ff00ff00ff-12.png'])
      assert.equal(pngForName(bad), null, bad);
  });

  it('requests: n, partial_images and response_format are checked; form strings accepted', () => {
    assert.equal(parseImageRequest({ prompt: 'p', n: '2', stream: 'true' }).n, 2);
    assert.equal(parseImageRequest({ prompt: 'p', stream: 'true' }).stream, true);
    for (const bad of [
      {},
      { prompt: 'p', n: 0 },
      { prompt: 'p', n: 11 },
      { prompt: 'p', partial_images: 4 },
      { prompt: 'p', response_format: 'jpeg' },
    ])
      assert.throws(() => parseImageRequest(bad), JSON.stringify(bad));
  });
});

describe('served models', () => {
  it('--served-model-name is a comma-separated list (trimmed, deduplicated); empty means --default-model', () => {
    assert.deepEqual(servedModels({ servedModelName: ' a , b,a ', defaultModel: 'd' }), ['a', 'b']);
    assert.deepEqual(servedModels({ servedModelName: '', defaultModel: 'd' }), ['d']);
  });
});
