import type { Config } from '../../config/config.js';
import { templateFunctions } from './functions.js';
import type { Model } from './project.js';
import { renderTemplate } from './template.js';
import type { CompileTarget } from './targets.js';

export interface CompiledModel {
  name: string;
  kind: Model['kind'];
  sql: string;
}

/** Compiles one model for one target. Pure: same inputs, same SQL, no I/O. */
export function compileModel(model: Model, target: CompileTarget, config: Config, models: readonly Model[]): CompiledModel {
  const fns = templateFunctions({ target, config, models: new Set(models.map((m) => m.name)) });
  const sql = renderTemplate(model.parts, fns, model.path).trim().replace(/;\s*$/, '');
  return { name: model.name, kind: model.kind, sql };
}

export function compileProject(models: readonly Model[], target: CompileTarget, config: Config): CompiledModel[] {
  return models.map((m) => compileModel(m, target, config, models));
}
