import { listPickerContent, listPickerFields, listPickerForms, type PickerContent, type PickerField, type PickerForm } from '../../storage/definition-pickers.repo.ts';
import type { AppDeps } from '../context.ts';

export type DefinitionPickers = { content: PickerContent[]; forms: PickerForm[]; fields: PickerField[] };

/**
 * What the definition editor lets people pick by name instead of typing ids: content assets (title,
 * format, stage), forms in use (with the page they sit on) and custom fields (declared label or key).
 */
export async function definitionPickers(deps: AppDeps, workspaceId: string): Promise<DefinitionPickers> {
  const [content, forms, fields] = await Promise.all([
    listPickerContent(deps.db, workspaceId), listPickerForms(deps.db, workspaceId), listPickerFields(deps.db, workspaceId),
  ]);
  return { content, forms, fields };
}
