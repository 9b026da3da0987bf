import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DomainError, loadConfigOrExit, migrateDatabase, OPERATOR } from '@app/shared';
import { parseArgs } from 'node:util';
import { BackendModule } from './backend.module.js';
import { createValidationPipe } from './common/validation.pipe.js';
import { CreateWorkspaceDto } from './workspaces/dto/create-workspace.dto.js';
import { WorkspacesService } from './workspaces/workspaces.service.js';

const USAGE = 'Usage: npm run workspace:create -- --name <name> [--owner-email <email> [--owner-name <name>]]';

/**
 * `npm run workspace:create -- --name Acme --owner-email ada@example.com`: what the operator's
 * POST /v1/workspaces does, from the command line, so a fresh install needs no database editing. Prints
 * the workspace's id and admin API key (shown this once); the owner gets the invitation by mail.
 */
const config = loadConfigOrExit('workspace:create');
const request = await validRequest();
await migrateDatabase(config.databaseUrl, 'herald-workspace-create');
const app = await NestFactory.createApplicationContext(BackendModule.forRoot(config), { logger: ['error', 'warn'] });
try {
  const created = await app.get(WorkspacesService).create({ actor: OPERATOR }, request);
  console.log(`Workspace "${created.name}" created: ${created.id}`);
  console.log(`Admin API key (shown this once): ${created.apiKey}`);
  if (created.ownerInvitation) {
    const { email, expiresAt } = created.ownerInvitation;
    console.log(`Invitation mailed to ${email} (owner), valid until ${expiresAt.toISOString()}`);
  }
} catch (error) {
  if (!(error instanceof DomainError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
} finally {
  await app.close();
}

/** The arguments, checked as POST /v1/workspaces checks its body; exits naming what is wrong. */
async function validRequest(): Promise<CreateWorkspaceDto> {
  try {
    const options = parseOptions();
    return (await createValidationPipe().transform(options, {
      type: 'body',
      metatype: CreateWorkspaceDto,
    })) as CreateWorkspaceDto;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

function parseOptions(): { name?: string; ownerEmail?: string; ownerName?: string } {
  const { values } = parseArgs({
    options: {
      name: { type: 'string' },
      'owner-email': { type: 'string' },
      'owner-name': { type: 'string' },
    },
    strict: true,
  });
  if (values.name === undefined) throw new Error('--name is required');
  return {
    name: values.name,
    ...(values['owner-email'] !== undefined ? { ownerEmail: values['owner-email'] } : {}),
    ...(values['owner-name'] !== undefined ? { ownerName: values['owner-name'] } : {}),
  };
}
