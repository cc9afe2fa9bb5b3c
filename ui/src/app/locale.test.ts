import { describe, expect, it } from "vitest";
import { languageTag, normaliseNavigatorLanguage } from "./locale";

describe("languageTag", () => {
  it("keeps valid tags", () => {
    expect(languageTag("en-US")).toBe("en-US");
    expect(languageTag("fr")).toBe("fr");
  });
  it("turns POSIX locale names into tags", () => {
    expect(languageTag("de_DE.UTF-8")).toBe("de-DE");
    expect(languageTag("pt_BR@euro")).toBe("pt-BR");
  });
  it("falls back to en-US for C, POSIX and garbage", () => {
    for (const bad of ["C", "C.UTF-8", "POSIX", "", undefined, "!!"]) expect(languageTag(bad)).toBe("en-US");
  });
});

describe("normaliseNavigatorLanguage", () => {
  it("makes a WebKitGTK navigator under LANG=C usable by Intl", () => {
    const nav = { language: "C", languages: ["C"] } as unknown as Navigator;
    expect(() => new Intl.NumberFormat(nav.language)).toThrow(RangeError);
    normaliseNavigatorLanguage(nav);
    expect(nav.language).toBe("en-US");
    expect(nav.languages).toEqual(["en-US"]);
    expect(() => new Intl.NumberFormat(nav.language)).not.toThrow();
  });
  it("leaves a valid language alone", () => {
    const nav = { language: "en-GB", languages: ["en-GB", "en"] } as unknown as Navigator;
    normaliseNavigatorLanguage(nav);
    expect(nav.language).toBe("en-GB");
    expect(nav.languages).toEqual(["en-GB", "en"]);
  });
});
