// preact + htm: tagged-template views without a JSX build step. Text is always escaped by preact;
// the console never uses dangerouslySetInnerHTML (certificate subjects come from uploaded files).
import { h } from "preact";
import * as htmModule from "htm";

// htm ships ESM with a default export but CommonJS-style typings: take the default either way.
type Htm = { bind<R>(h: (type: any, props: Record<string, any>, ...children: any[]) => R): (strings: TemplateStringsArray, ...values: any[]) => R };
const htm: Htm = (htmModule as unknown as { default?: Htm }).default ?? (htmModule as unknown as Htm);

export const html = htm.bind(h);
