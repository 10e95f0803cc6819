import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isSalvageError } from '../errors.js';
import { hkcnews } from '../sites/index.js';
import {
  keepProfile,
  keptProfiles,
  prefixProfileSpec,
  resolveArchiveTarget,
  SITE_PROFILE_FILE,
} from './site-choice.js';

const work = mkdtempSync(join(tmpdir(), 'salvage-site-choice-'));

test('archive targets: a built-in id, a profile file, or a URL prefix', async () => {
  assert.equal((await resolveArchiveTarget('hkcnews')).site, hkcnews);
  const file = join(work, 'island.yaml');
  writeFileSync(
    file,
    'id: island-post\nname: Island Post\nhosts: [islandpost.example]\narticle_url: "^https://islandpost\\\\.example/news/"\n',
  );
  const fromFile = await resolveArchiveTarget(file);
  assert.equal(fromFile.site.id, 'island-post');
  assert.match(fromFile.profileText ?? '', /^id: island-post/);
  const prefix = await resolveArchiveTarget('https://www.Island-Post.example/news/', '2021-12-29');
  assert.equal(prefix.site.id, 'island-post-example');
  assert.deepEqual(prefix.site.rescue, {
    cdxQueries: [{ url: 'island-post.example/news/', matchType: 'prefix' }],
    closedAt: '20211229235959',
  });
  assert.ok(prefix.site.articleId('http://island-post.example/news/2021/ferry') !== undefined);
  assert.equal(prefix.site.articleId('http://island-post.example/sport/2021/ferry'), undefined, 'outside the prefix');
  assert.equal(prefix.site.articleId('http://island-post.example/news/tag/ferries'), undefined, 'a listing page');
});

test('a target that is none of these, or --closed for a built-in site, is a usage error with a hint', async () => {
  for (const [target, closed, message] of [
    ['nonsense', undefined, /neither a known site/],
    ['hkcnews', '2022-01-04', /--closed is for a URL prefix/],
    [join(work, 'missing.yaml'), undefined, /no such file/],
  ] as const) {
    await assert.rejects(
      resolveArchiveTarget(target, closed),
      (e: unknown) => isSalvageError(e) && message.test(e.message),
      target,
    );
  }
  assert.throws(
    () => prefixProfileSpec('http://'),
    (e: unknown) => isSalvageError(e) && e.code === 'CONFIG_INVALID',
  );
});

test('the profile kept beside an archive is read back for rebuild', async () => {
  const dir = join(work, 'archive');
  assert.deepEqual(await keptProfiles(dir), []);
  const { profileText } = await resolveArchiveTarget('islandpost.example/');
  await keepProfile(dir, profileText!);
  assert.equal(readFileSync(join(dir, SITE_PROFILE_FILE), 'utf8'), profileText);
  const [site] = await keptProfiles(dir);
  assert.equal(site?.id, 'islandpost-example');
});
