import { describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { AppConfig } from './app-config.js';
import { ConfigModule } from './config.module.js';
import { loadEnvironment } from './environment.js';

describe('ConfigModule.forRoot', () => {
  it('provides the configuration main.ts validated, without reading the environment again', async () => {
    const config = new AppConfig(
      loadEnvironment({ ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'), ADMIN_TOKEN: 'a-long-admin-token' }),
    );
    const saved = process.env.ENCRYPTION_KEY;
    // An environment that would not validate: the module must not look at it.
    process.env.ENCRYPTION_KEY = 'not a key';
    try {
      const moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config)] }).compile();
      expect(moduleRef.get(AppConfig)).toBe(config);
    } finally {
      if (saved === undefined) delete process.env.ENCRYPTION_KEY;
      else process.env.ENCRYPTION_KEY = saved;
    }
  });
});
