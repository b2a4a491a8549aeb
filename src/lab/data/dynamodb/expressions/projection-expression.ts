import type { AttributeValue, Item } from '../../values/attribute-value.ts';
import { TokenCursor, assertNoOverlap, type DocumentPath, type ExpressionAttributes } from './expression-syntax.ts';
import { getAtPath } from './document-path.ts';

/**
 * Projection expressions (`a, b.c, d[1]`) and the projection of an item onto document paths, which
 * also shapes UpdateItem's UPDATED_OLD / UPDATED_NEW answers.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html
 */
export function parseProjection(source: string, attributes: ExpressionAttributes): DocumentPath[] {
  const cursor = new TokenCursor(source, attributes);
  const paths = [cursor.parsePath()];
  while (cursor.acceptSymbol(',')) paths.push(cursor.parsePath());
  cursor.expectEnd();
  assertNoOverlap(paths);
  return paths;
}

/** A tree of the parts to keep: leaves hold values, inner nodes are map keys or list indexes. */
type Node = { value: AttributeValue } | { children: Map<string | number, Node> };

/**
 * The item cut down to the given non-overlapping paths. Missing paths are left out; list elements that
 * are kept close up in their original order (`a[1], a[3]` gives a two-element list), as in DynamoDB.
 */
export function projectItem(item: Item, paths: readonly DocumentPath[]): Item {
  const root: Map<string | number, Node> = new Map();
  for (const path of paths) {
    const value = getAtPath(item, path);
    if (value === undefined) continue;
    let children = root;
    for (const step of path.slice(0, -1)) {
      let node = children.get(step);
      if (node === undefined) {
        node = { children: new Map() };
        children.set(step, node);
      }
      children = (node as { children: Map<string | number, Node> }).children;
    }
    children.set(path[path.length - 1]!, { value });
  }
  const result: Record<string, AttributeValue> = {};
  for (const [name, node] of root) result[name as string] = build(node);
  return result;
}

function build(node: Node): AttributeValue {
  if ('value' in node) return node.value;
  const steps = [...node.children.keys()];
  if (typeof steps[0] === 'number') {
    return { L: (steps as number[]).sort((a, b) => a - b).map((index) => build(node.children.get(index)!)) };
  }
  const map: Record<string, AttributeValue> = {};
  for (const step of (steps as string[]).sort()) map[step] = build(node.children.get(step)!);
  return { M: map };
}
