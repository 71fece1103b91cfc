import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { v2Sign, v2Verify } from '../src/crypto/index.js';
import { buildXml, parseXml, XmlFormatError } from '../src/xml.js';

// APIv2 XML: the five predefined entities and character references are decoded (a serializer that
// escapes `&` instead of using CDATA is well-formed XML); DTDs and every other entity stay refused.

describe('parseXml', () => {
  test('decodes the five predefined entities and decimal and hexadecimal character references', () => {
    assert.deepEqual(
      {
        ...parseXml(
          '<xml><a>A&amp;B</a><b>&lt;&gt;&quot;&apos;</b><c>&#65;&#x41;&#x0042;</c><d>&#x5238;&#128512;</d></xml>',
        ),
      },
      { a: 'A&B', b: '<>"\'', c: 'AAB', d: '券😀' },
    );
  });

  test('leaves the text of a CDATA section as written, references included', () => {
    assert.deepEqual(
      { ...parseXml('<xml><a><![CDATA[&amp;]]>&amp;<![CDATA[&#65;]]></a></xml>') },
      { a: '&amp;&&#65;' },
    );
  });

  test('a value written with escapes verifies against the signature of its decoded text', () => {
    const key = '192006250b4c09247ec02edce69f6a2d';
    const fields = { appid: 'wx5edab3bdfba3dc1c', device_info: 'A&B<1>', nonce_str: 'n1' };
    const sign = v2Sign(fields, key);
    const escaped = `<xml><appid>&#x77;x5edab3bdfba3dc1c</appid><device_info>A&amp;B&lt;1&gt;</device_info><nonce_str>n1</nonce_str><sign>${sign}</sign></xml>`;
    const parsed = parseXml(escaped);
    assert.equal(parsed.device_info, 'A&B<1>');
    assert.ok(v2Verify(parsed, key));
    assert.deepEqual({ ...parseXml(buildXml(parsed)) }, { ...parsed }, 'buildXml round-trips what parseXml decodes');
  });

  for (const [name, xml] of [
    ['a reference to a character XML forbids (&#0;)', '<xml><a>&#0;</a></xml>'],
    ['a C0 control by reference (&#x1;)', '<xml><a>&#x1;</a></xml>'],
    ['a surrogate by reference', '<xml><a>&#xD800;</a></xml>'],
    ['U+FFFE by reference', '<xml><a>&#xFFFE;</a></xml>'],
    ['a code point beyond U+10FFFF', '<xml><a>&#x110000;</a></xml>'],
    ['an undeclared entity', '<xml><a>&xxe;</a></xml>'],
    ['an HTML entity', '<xml><a>&nbsp;</a></xml>'],
    ['a bare ampersand', '<xml><a>a & b</a></xml>'],
    ['a reference without its semicolon', '<xml><a>&amp</a></xml>'],
    ['an empty character reference', '<xml><a>&#;</a></xml>'],
    ['a hexadecimal reference with a capital X', '<xml><a>&#X41;</a></xml>'],
    ['a raw NUL', '<xml><a>a\u0000b</a></xml>'],
    ['a raw C0 control', '<xml><a>a\u0007b</a></xml>'],
    ['a lone surrogate', '<xml><a>a\ud800b</a></xml>'],
    ['a DOCTYPE with an internal entity', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "v">]><xml><a>&e;</a></xml>'],
  ] as const) {
    test(`refuses ${name}`, () => {
      assert.throws(() => parseXml(xml), XmlFormatError);
    });
  }
});
