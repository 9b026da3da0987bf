import { RequestMethod } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ModulesContainer, Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { getMetadataStorage } from 'class-validator';
import { ACCESS_RULE, type AccessRule } from '../../apps/backend/src/auth/access.decorators.js';

/** One route the backend serves, and what its handler reads, as Nest's metadata declares it. */
export interface ServedRoute {
  method: string;
  /** As Express matches it: `/v1/posts/:id`. */
  path: string;
  /** The path's parameters, in order. */
  params: string[];
  /** Who may call it, as the AccessGuard reads it (the route's own rule, else its controller's); none: refused. */
  access: AccessRule | undefined;
  /** The names of the route's own guards, beside the global AccessGuard (a signed link's, say). */
  guards: string[];
  /** `json`: a validated body; `upload`: an uploaded file; `none`: the body is ignored. */
  body: 'json' | 'upload' | 'none';
  /** The handler reads the query string. */
  query: boolean;
  /** The fields the body's and the query's DTO classes validate (empty when typed by an interface). */
  fields: { body: string[]; query: string[] };
}

type Class = new (...args: never[]) => unknown;

interface Handler {
  controller: Class;
  name: string;
}

/**
 * Every route of the running app: the list from Express's router (what is really served), each route
 * described from its Nest handler's metadata. A route without a Nest handler is an error, so a route
 * added another way is noticed instead of being skipped.
 */
export function servedRoutes(app: NestExpressApplication): ServedRoute[] {
  const handlers = nestHandlers(app);
  const router = app.getHttpAdapter().getInstance().router as {
    stack: { route?: { path: string; methods: Record<string, boolean> } }[];
  };
  return router.stack.flatMap(({ route }) =>
    route
      ? Object.keys(route.methods).map((method) => {
          const key = `${method.toUpperCase()} ${route.path}`;
          const handler = handlers.get(key);
          if (!handler) throw new Error(`${key} is served by Express but has no Nest handler`);
          return describe(method.toUpperCase(), route.path, handler);
        })
      : [],
  );
}

function nestHandlers(app: NestExpressApplication): Map<string, Handler> {
  const handlers = new Map<string, Handler>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      const controller = metatype as Handler['controller'];
      const prefix = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        const method = Reflect.getMetadata(METHOD_METADATA, handler as object) as RequestMethod | undefined;
        if (method === undefined || typeof handler !== 'function') continue;
        const path = `/${[prefix, String(Reflect.getMetadata(PATH_METADATA, handler))].join('/')}`
          .replace(/\/+/g, '/')
          .replace(/(.)\/$/, '$1');
        handlers.set(`${RequestMethod[method]} ${path}`, { controller, name });
      }
    }
  }
  return handlers;
}

function describe(method: string, path: string, { controller, name }: Handler): ServedRoute {
  const handler = (controller.prototype as Record<string, object>)[name];
  const args: { type: RouteParamtypes; index: number }[] = Object.keys(
    (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, unknown>,
  ).map((key) => {
    const [type, index] = key.split(':').map(Number);
    return { type, index };
  });
  const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, name) ?? []) as Class[];
  const argOf = (type: RouteParamtypes) => args.find((arg) => arg.type === type);
  const fieldsOf = (type: RouteParamtypes) => {
    const arg = argOf(type);
    return arg ? dtoFields(types[arg.index]) : [];
  };
  const guards = [
    ...((Reflect.getMetadata(GUARDS_METADATA, controller) ?? []) as Class[]),
    ...((Reflect.getMetadata(GUARDS_METADATA, handler) ?? []) as Class[]),
  ];
  return {
    method,
    path,
    params: [...path.matchAll(/:(\w+)/g)].map((match) => match[1]),
    access: new Reflector().getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [
      handler as () => unknown,
      controller,
    ]),
    guards: guards.map((guard) => guard.name),
    body: argOf(RouteParamtypes.FILE) ? 'upload' : argOf(RouteParamtypes.BODY) ? 'json' : 'none',
    query: argOf(RouteParamtypes.QUERY) !== undefined,
    fields: { body: fieldsOf(RouteParamtypes.BODY), query: fieldsOf(RouteParamtypes.QUERY) },
  };
}

/** The properties class-validator checks on a DTO class (none for an interface, typed as Object). */
function dtoFields(type: Class | undefined): string[] {
  if (!type || type === Object) return [];
  const metadata = getMetadataStorage().getTargetValidationMetadatas(type, '', true, false);
  return [...new Set(metadata.map((entry) => entry.propertyName))];
}
