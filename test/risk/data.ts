import { expect } from "chai";
import { columnValues, parseArff, parseCsv, parseTypeOverrides, protectedReason, resolveColumnTypes } from "../../src/risk/index.ts";

describe("data loading", () => {
  it("parses CSV with quotes, embedded commas and newlines, and marks ? and empty cells missing", () => {
    const ds = parseCsv('id,name,amount\r\n1,"Smith, J.",100\n2,"line\nbreak",?\n3,,"7"\n4,"?",\n');
    expect(ds.columns).to.deep.equal(["id", "name", "amount"]);
    expect(ds.rows).to.deep.equal([
      ["1", "Smith, J.", "100"],
      ["2", "line\nbreak", null],
      ["3", null, "7"],
      ["4", "?", null], // a quoted ? is data
    ]);
    expect(ds.sha256).to.match(/^[0-9a-f]{64}$/);
  });

  it("refuses ragged CSV rows and duplicate headers instead of guessing", () => {
    expect(() => parseCsv("a,b\n1,2,3\n")).to.throw(/3 fields/);
    expect(() => parseCsv("a,a\n1,2\n")).to.throw(/duplicate/);
  });

  it("parses ARFF headers, quoted nominal values and ? as missing", () => {
    const ds = parseArff(
      "% comment\n@relation r\n@attribute 'check status' { '<0', 'no checking'}\n@attribute duration numeric\n" +
        "@attribute class {good,bad}\n@data\n'<0',6,good\n'no checking',?,bad\n",
    );
    expect(ds.columns).to.deep.equal(["check status", "duration", "class"]);
    expect(ds.declaredTypes).to.deep.equal({ "check status": "categorical", duration: "numeric", class: "categorical" });
    expect(ds.rows).to.deep.equal([
      ["<0", "6", "good"],
      ["no checking", null, "bad"],
    ]);
  });

  it("infers numeric only when every present value is a number, and lets overrides win", () => {
    const ds = parseCsv("a,b,c,d\n1,x,1e3,01\n2.5,,?,02\n-3,y,4,03\n");
    expect(resolveColumnTypes(ds)).to.deep.equal({ a: "numeric", b: "categorical", c: "numeric", d: "numeric" });
    expect(resolveColumnTypes(ds, { d: "categorical" }).d).to.equal("categorical");
    expect(columnValues(ds, "c", "numeric")).to.deep.equal([1000, null, 4]);
    expect(() => resolveColumnTypes(ds, { b: "numeric" })).to.throw(/forced numeric but 2 of 2 values are text/);
    expect(() => resolveColumnTypes(ds, { zz: "numeric" })).to.throw(/unknown column/);
  });

  it("does not take hex, blanks or Infinity for numbers", () => {
    const ds = parseCsv("a\n0x10\n");
    expect(resolveColumnTypes(ds).a).to.equal("categorical");
    expect(resolveColumnTypes(parseCsv("a\nInfinity\n")).a).to.equal("categorical");
  });

  it("parses --types overrides and rejects unknown types", () => {
    expect(parseTypeOverrides("x=numeric, y=categorical")).to.deep.equal({ x: "numeric", y: "categorical" });
    expect(() => parseTypeOverrides("x=float")).to.throw(/bad type override/);
  });

  it("flags protected attributes by name, including credit-g's personal_status and foreign_worker", () => {
    for (const col of ["personal_status", "foreign_worker", "Gender", "applicant_sex", "Race", "nationality", "marital_state", "religion"]) {
      expect(protectedReason(col), col).to.be.a("string");
    }
    for (const col of ["age", "duration", "credit_amount", "purpose"]) expect(protectedReason(col), col).to.equal(null);
  });
});
