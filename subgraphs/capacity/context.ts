/**
 * A capacity request's context: the shared base (caller, day, request id, hub region), the
 * services the runtime built once, and the request's own loaders.
 */

import { DataSource } from "typeorm";
import { BaseRequestContext } from "../shared/context";
import { CapacityLoaders, createCapacityLoaders } from "./loaders";
import { CapacityRuntime, CapacityServices } from "./runtime";

export interface CapacityContext extends BaseRequestContext, CapacityServices {
  loaders: CapacityLoaders;
}

export function createCapacityContext(dataSource: DataSource, base: BaseRequestContext, runtime: CapacityRuntime): CapacityContext {
  const { search, publishing, scheduling, catalogue, events, national } = runtime;
  return { ...base, search, publishing, scheduling, catalogue, events, national, loaders: createCapacityLoaders(dataSource) };
}
