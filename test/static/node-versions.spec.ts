/**
 * Which Node versions Herald runs on. package.json's `engines` is the floor developers and CI run
 * (this machine's Node 20); every runtime dependency must accept that floor, and the Docker image
 * runs a Node line that is still maintained.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const readJson = (path: string): any => JSON.parse(readFileSync(`${ROOT}${path}`, 'utf8'));

/** Node lines in active or maintenance LTS on 2026-12-02 (Node 20 ended in April 2026). */
const MAINTAINED_LTS = [22, 24];

const project = readJson('package.json');
const floor = semver.minVersion(project.engines.node)!.version;

describe('Node versions', () => {
  it('declares a floor of at least 20.19 (what typeorm and @nestjs/* require)', () => {
    expect(semver.gte(floor, '20.19.0')).toBe(true);
  });

  it.each(Object.keys(project.dependencies))('runtime dependency %s accepts the declared Node floor', (name) => {
    const engines: string | undefined = readJson(`node_modules/${name}/package.json`).engines?.node;
    if (engines === undefined) return;
    expect({ name, engines, floor, accepted: semver.satisfies(floor, engines) }).toMatchObject({ accepted: true });
  });

  it('runs the Docker image on a maintained LTS line that meets the floor', () => {
    const images = [...readFileSync(`${ROOT}Dockerfile`, 'utf8').matchAll(/^FROM\s+node:(\d+)-\S+/gm)].map((m) =>
      Number(m[1]),
    );
    expect(images.length).toBeGreaterThanOrEqual(2);
    for (const major of images) {
      expect(MAINTAINED_LTS).toContain(major);
      expect(semver.satisfies(`${major}.99.0`, project.engines.node)).toBe(true);
    }
  });
});
