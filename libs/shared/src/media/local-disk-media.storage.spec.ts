import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LocalDiskMediaStorage } from './local-disk-media.storage.js';
import { MediaStorage, mediaStorageKey, MissingMediaError } from './media-storage.js';
import { pngImage } from '../../../../test/support/images.js';

describe('LocalDiskMediaStorage', () => {
  let root: string;
  let storage: MediaStorage;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'herald-media-'));
    storage = new LocalDiskMediaStorage(root);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('keeps files under keys sharded by id, and reads them back', async () => {
    const id = randomUUID();
    const key = mediaStorageKey(id);
    expect(key).toBe(`${id.slice(0, 2)}/${id.slice(2, 4)}/${id}`);
    const bytes = pngImage(4, 4, 'noise');

    await storage.put(key, bytes, 'image/png');

    expect(await storage.read(key)).toEqual(bytes);
    // Written through a temporary file that is renamed: nothing else is left in the folder.
    expect(await readdir(join(root, id.slice(0, 2), id.slice(2, 4)))).toEqual([id]);
  });

  it('replaces a file whole when a key is written again', async () => {
    const key = mediaStorageKey(randomUUID());
    await storage.put(key, pngImage(1, 1), 'image/png');
    const second = pngImage(8, 8, 'noise');
    await storage.put(key, second, 'image/png');
    expect(await storage.read(key)).toEqual(second);
  });

  it('deletes files, and deleting twice is fine', async () => {
    const key = mediaStorageKey(randomUUID());
    await storage.put(key, pngImage(), 'image/png');
    await storage.delete(key);
    await storage.delete(key);
    await expect(storage.read(key)).rejects.toBeInstanceOf(MissingMediaError);
  });

  it('refuses keys that would leave its folder', async () => {
    await expect(storage.put('../escape', pngImage(), 'image/png')).rejects.toThrow(/leaves the media folder/);
    await expect(storage.read('/etc/passwd')).rejects.toThrow(/leaves the media folder/);
  });

  it('has no direct links: the backend serves local files', async () => {
    expect(await storage.directUrl(mediaStorageKey(randomUUID()), 60)).toBeNull();
  });
});
