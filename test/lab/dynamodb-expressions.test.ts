import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addDecimal, compareDecimal, decimalRangeProblem, formatDecimal, parseDecimal, subtractDecimal, type Decimal } from '../../src/lab/data/values/decimal.ts';
import { encodeKeyValue, prefixUpperBound } from '../../src/lab/data/storage/key-encoding.ts';
import { itemSizeBytes } from '../../src/lab/data/values/item-size.ts';
import { ExpressionAttributes, ExpressionError, tokenize } from '../../src/lab/data/dynamodb/expressions/expression-syntax.ts';
import { parseCondition, type Condition } from '../../src/lab/data/dynamodb/expressions/condition-expression.ts';
import { evaluateCondition } from '../../src/lab/data/dynamodb/expressions/evaluate-condition.ts';
import { parseUpdate } from '../../src/lab/data/dynamodb/expressions/update-expression.ts';
import { applyUpdate } from '../../src/lab/data/dynamodb/expressions/apply-update.ts';
import { parseProjection, projectItem } from '../../src/lab/data/dynamodb/expressions/projection-expression.ts';
import type { AttributeValue, Item } from '../../src/lab/data/values/attribute-value.ts';

// The pure pieces under the API: exact decimals, the byte encoding that gives Query its order, and the
// expression tokenizer, parsers and evaluators.

function decimal(text: string): Decimal {
  const value = parseDecimal(text);
  assert.ok(value !== undefined, text);
  return value;
}

/** A small deterministic generator (mulberry32), so that the property tests replay exactly. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomNumberText(random: () => number): string {
  const digits = Array.from({ length: 1 + Math.floor(random() * 38) }, () => Math.floor(random() * 10)).join('');
  const sign = random() < 0.5 ? '-' : '';
  const exponent = Math.floor(random() * 200) - 100;
  return `${sign}${digits}E${exponent}`;
}

describe('decimal', () => {
  test('parses, normalises and formats like DynamoDB', () => {
    const cases: [string, string][] = [
      ['0', '0'],
      ['-0.000', '0'],
      ['007', '7'],
      ['1.50', '1.5'],
      ['-12.5e1', '-125'],
      ['.5', '0.5'],
      ['5.', '5'],
      ['1E-3', '0.001'],
      ['123456789012345678901234567890', '123456789012345678901234567890'],
    ];
    for (const [input, expected] of cases) assert.equal(formatDecimal(decimal(input)), expected, input);
    for (const bad of ['', '-', '.', 'e5', '1e', 'one', '1.2.3', ' 1', '0x10', 'Infinity', 'NaN']) assert.equal(parseDecimal(bad), undefined, bad);
  });

  test('adds and subtracts exactly', () => {
    assert.equal(formatDecimal(addDecimal(decimal('0.1'), decimal('0.2'))), '0.3');
    assert.equal(formatDecimal(subtractDecimal(decimal('1'), decimal('0.999999999999999999999999'))), '0.000000000000000000000001');
    assert.equal(formatDecimal(addDecimal(decimal('99999999999999999999999999999999999999'), decimal('1'))), '100000000000000000000000000000000000000');
    assert.equal(formatDecimal(addDecimal(decimal('-2.5'), decimal('2.5'))), '0');
  });

  test('range limits: 38 digits, 1E-130 to 9.99…E+125', () => {
    assert.equal(decimalRangeProblem(decimal('1E+125')), undefined);
    assert.equal(decimalRangeProblem(decimal('1E-130')), undefined);
    assert.match(decimalRangeProblem(decimal('1E+126')) ?? '', /overflow/);
    assert.match(decimalRangeProblem(decimal('1E-131')) ?? '', /underflow/);
    assert.match(decimalRangeProblem(decimal('1.00000000000000000000000000000000000001')) ?? '', /38 significant digits/);
  });

  test('comparison agrees with subtraction over random numbers', () => {
    const random = seededRandom(7);
    for (let round = 0; round < 2000; round++) {
      const [a, b] = [decimal(randomNumberText(random)), decimal(randomNumberText(random))];
      const difference = subtractDecimal(a, b).coefficient;
      assert.equal(compareDecimal(a, b), difference < 0n ? -1 : difference > 0n ? 1 : 0);
    }
  });
});

describe('key encoding', () => {
  test('the byte order of encoded numbers is numeric order (seeded property test)', () => {
    const random = seededRandom(42);
    const texts = ['0', '-0', '1', '-1', '10', '-10', '0.1', '-0.1', '9.99E+125', '-9.99E+125', '1E-130', '-1E-130', '1', '1.0'];
    for (let index = 0; index < 3000; index++) texts.push(randomNumberText(random));
    const byBytes = [...texts].sort((a, b) => Buffer.compare(encodeKeyValue('N', a), encodeKeyValue('N', b)));
    for (let index = 1; index < byBytes.length; index++) {
      const order = compareDecimal(decimal(byBytes[index - 1]!), decimal(byBytes[index]!));
      assert.ok(order <= 0, `${byBytes[index - 1]} sorted before ${byBytes[index]}`);
      const bytesEqual = encodeKeyValue('N', byBytes[index - 1]!).equals(encodeKeyValue('N', byBytes[index]!));
      assert.equal(bytesEqual, order === 0, 'equal numbers, and only they, encode equally');
    }
  });

  test('strings encode as UTF-8 and binary as its bytes; prefix bounds', () => {
    assert.deepEqual([...encodeKeyValue('S', 'é')], [0xc3, 0xa9]);
    assert.deepEqual([...encodeKeyValue('B', Buffer.from([0, 255]).toString('base64'))], [0, 255]);
    assert.deepEqual([...prefixUpperBound(Buffer.from([0x61, 0xff]))!], [0x62]);
    assert.deepEqual([...prefixUpperBound(Buffer.from([0x61, 0x62]))!], [0x61, 0x63]);
    assert.equal(prefixUpperBound(Buffer.from([0xff, 0xff])), undefined);
  });
});

describe('expressions', () => {
  const attributes = (values: Record<string, AttributeValue> = {}, names: Record<string, string> = {}) => new ExpressionAttributes(names, values);

  test('the tokenizer reads names, placeholders, numbers and operators', () => {
    const tokens = tokenize('#a.b[12] <= :v AND size(c)<>:w').map((token) => `${token.kind}:${token.text}`);
    assert.deepEqual(tokens, [
      'nameRef:#a', 'symbol:.', 'identifier:b', 'symbol:[', 'integer:12', 'symbol:]', 'symbol:<=', 'valueRef::v', 'identifier:AND',
      'identifier:size', 'symbol:(', 'identifier:c', 'symbol:)', 'symbol:<>', 'valueRef::w', 'end:<EOF>',
    ]);
    assert.throws(() => tokenize('a = $b'), ExpressionError);
  });

  test('precedence: NOT binds tighter than AND, AND tighter than OR; keywords in any case', () => {
    const values = { ':v': { N: '1' } };
    const shape = (condition: Condition): string => {
      if (condition.kind === 'and' || condition.kind === 'or') return `(${shape(condition.left)} ${condition.kind} ${shape(condition.right)})`;
      if (condition.kind === 'not') return `not ${shape(condition.condition)}`;
      if (condition.kind === 'compare' && condition.left.kind === 'path') return String(condition.left.path[0]);
      return condition.kind;
    };
    assert.equal(shape(parseCondition('a = :v OR b = :v AND c = :v', attributes(values))), '(a or (b and c))');
    assert.equal(shape(parseCondition('(a = :v or b = :v) and not c = :v', attributes(values))), '((a or b) and not c)');
    assert.equal(shape(parseCondition('NOT a = :v AND b = :v', attributes(values))), '(not a and b)');
  });

  test('evaluation on a missing item: only negative conditions hold', () => {
    const values = { ':v': { S: 'x' } };
    const holds = (source: string) => evaluateCondition(parseCondition(source, attributes(values)), undefined);
    assert.equal(holds('attribute_not_exists(a)'), true);
    assert.equal(holds('a <> :v'), true);
    assert.equal(holds('attribute_exists(a)'), false);
    assert.equal(holds('a = :v'), false);
    assert.equal(holds('NOT a = :v'), true);
  });

  test('applyUpdate leaves the old item untouched and sets nested values', () => {
    const old: Item = { pk: { S: 'k' }, m: { M: { a: { N: '1' } } }, l: { L: [{ N: '1' }] } };
    const snapshot = JSON.stringify(old);
    const actions = parseUpdate('SET m.b = :v, l[0] = :v REMOVE m.a', attributes({ ':v': { N: '2' } }));
    const updated = applyUpdate(old, { pk: { S: 'k' } }, actions);
    assert.equal(JSON.stringify(old), snapshot);
    assert.deepEqual(updated, { pk: { S: 'k' }, m: { M: { b: { N: '2' } } }, l: { L: [{ N: '2' }] } });
  });

  test('projection keeps list order and merges map paths', () => {
    const item: Item = { a: { M: { x: { N: '1' }, y: { N: '2' }, z: { N: '3' } } }, l: { L: [{ S: '0' }, { S: '1' }, { S: '2' }] } };
    const paths = parseProjection('l[2], a.z, l[0], a.x', attributes());
    assert.deepEqual(projectItem(item, paths), { l: { L: [{ S: '0' }, { S: '2' }] }, a: { M: { x: { N: '1' }, z: { N: '3' } } } });
  });

  test('item size follows DynamoDB: names plus values, numbers by significant digits', () => {
    assert.equal(itemSizeBytes({ ab: { S: 'héllo' } }), 2 + 6);
    assert.equal(itemSizeBytes({ n: { N: '12345' } }), 1 + 1 + 3);
    assert.equal(itemSizeBytes({ m: { M: { k: { BOOL: true } } } }), 1 + 3 + 1 + 1 + 1);
    assert.equal(itemSizeBytes({ l: { L: [{ NULL: true }, { S: 'ab' }] } }), 1 + 3 + (1 + 1) + (1 + 2));
  });
});
