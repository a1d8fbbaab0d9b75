import XCTest

@testable import Livepatch

/// The author-contract lines of the language: `data`, `setting`, `state ...
/// carries`, `on`, `code` and `original`, and every error they can give.
final class ContractParserTests: XCTestCase {
    func parse(_ text: String, line: UInt = #line) -> World? {
        do {
            return try ModelParser.parse(text, file: "t.klp")
        } catch {
            XCTFail("unexpected errors:\n\(error)", line: line)
            return nil
        }
    }

    func assertErrors(_ text: String, _ expected: [String], line: UInt = #line) {
        do {
            _ = try ModelParser.parse(text, file: "t.klp")
            XCTFail("parsed, expected errors", line: line)
        } catch {
            XCTAssertEqual(error.diagnostics.map(\.description), expected, line: line)
        }
    }

    static let header = """
        module netmod
        data loglevel
        data table static
        setting console_loglevel default motormouth
        setting probe in netmod old fixed

        """

    func testContractLinesParseToTheWorld() throws {
        let world = try XCTUnwrap(
            parse(
                Self.header + """
                    patch p replace
                      state 1 version 2 carries loglevel
                      object vmlinux: pre_patch post_patch pre_unpatch post_unpatch
                        on pre_patch: unless-prev 1 alloc loglevel
                        on post_patch: if-prev 1 adopt loglevel, unless-prev 1 save console_loglevel in loglevel,unless-prev 1 set console_loglevel=motormouth
                        on pre_unpatch: restore console_loglevel from loglevel
                        on post_unpatch: free loglevel
                        code uses loglevel
                        code needs console_loglevel=default|motormouth
                        original needs console_loglevel=default
                      object netmod: post_patch
                        on post_patch : set probe=fixed
                    """))
        XCTAssertEqual(world.data.map(\.name), ["loglevel", "table"])
        XCTAssertEqual(world.data.map(\.isStatic), [false, true])
        XCTAssertEqual(world.settings.map(\.name), ["console_loglevel", "probe"])
        XCTAssertEqual(world.settings.map(\.values), [["default", "motormouth"], ["old", "fixed"]])
        XCTAssertEqual(world.settings.map(\.owner), [nil, 0])
        XCTAssertTrue(world.hasContracts)
        let patch = world.patches[0]
        XCTAssertEqual(patch.states, [SystemState(id: 1, version: 2, carries: 0)])
        let vmlinux = patch.objects[0].contract
        XCTAssertEqual(vmlinux.actions[.prePatch], [.unlessPrev(id: 1, .alloc(data: 0))])
        XCTAssertEqual(
            vmlinux.actions[.postPatch],
            [
                .ifPrev(id: 1, .adopt(data: 0)), .unlessPrev(id: 1, .save(setting: 0, data: 0)),
                .unlessPrev(id: 1, .set(setting: 0, value: 1)),
            ])
        XCTAssertEqual(vmlinux.actions[.preUnpatch], [.restore(setting: 0, data: 0)])
        XCTAssertEqual(vmlinux.actions[.postUnpatch], [.free(data: 0)])
        XCTAssertEqual(vmlinux.uses, [0])
        XCTAssertEqual(vmlinux.codeNeeds, [SettingNeed(setting: 0, values: [0, 1])])
        XCTAssertEqual(vmlinux.originalNeeds, [SettingNeed(setting: 0, values: [0])])
        XCTAssertEqual(patch.objects[1].contract.actions[.postPatch], [.set(setting: 1, value: 1)])
        XCTAssertTrue(patch.objects[1].contract.uses.isEmpty)
    }

    /// A setting's owning module resolves after the whole file, as targets do.
    func testSettingOwnerMayBeDeclaredLater() throws {
        let world = try XCTUnwrap(parse("setting quirk in drv a b\nmodule drv\npatch p\n  object drv: post_patch\n"))
        XCTAssertEqual(world.settings.map(\.owner), [0])
    }

    func testWorldsWithoutContractLinesHaveNone() throws {
        let world = try XCTUnwrap(parse("patch p\n  state 1 version 1\n  object vmlinux: pre_patch\n"))
        XCTAssertFalse(world.hasContracts)
        XCTAssertTrue(world.patches[0].objects[0].contract.isEmpty)
        XCTAssertNil(world.patches[0].states[0].carries)
    }

    func testEveryContractError() {
        assertErrors(
            """
            module netmod
            data loglevel
            data table static
            setting console_loglevel default motormouth
            setting probe in nomod old fixed
            on pre_patch: alloc loglevel
            patch p replace
              code uses loglevel
              state 1 version 2 carries nothing
              object vmlinux: pre_patch post_patch
                on post_unpatch: free loglevel
                on pre_patch: alloc table
                on pre_patch: free table
                on post_patch: adopt loglevel
                on post_patch: set console_loglevel=loud
                on post_patch: set volume=1
                on post_patch: save console_loglevel in nodata
                on post_patch: frob loglevel
                on post_patch: alloc loglevel,, free loglevel
                code uses nodata
                code needs console_loglevel=default|quiet
                original uses loglevel
                code frobs loglevel
                original needs console_loglevel
            data loglevel
            setting s
            setting t a a
            """,
            [
                "t.klp:5:18: error: unknown module 'nomod' owning setting 'probe'; declared modules: netmod",
                "t.klp:6:1: error: 'on' before any 'object'; it belongs to the object declared above it",
                "t.klp:8:3: error: 'code' before any 'object'; it belongs to the object declared above it",
                "t.klp:9:29: error: unknown data 'nothing'; declared data: loglevel, table",
                "t.klp:11:8: error: 'on post_unpatch' for object 'vmlinux', which declares no post_unpatch callback (it declares: post_patch, pre_patch)",
                "t.klp:12:19: error: 'alloc table' of static data; static storage is never allocated or freed",
                "t.klp:13:19: error: 'free table' of static data; static storage is never allocated or freed",
                "t.klp:14:20: error: 'adopt loglevel' in patch 'p', which has no state carrying it; expected a 'state ID version V carries loglevel' line",
                "t.klp:15:41: error: unknown value 'loud' of setting 'console_loglevel'; expected one of: default, motormouth",
                "t.klp:16:24: error: unknown setting 'volume'; declared settings: console_loglevel, probe",
                "t.klp:17:45: error: unknown data 'nodata'; declared data: loglevel, table",
                "t.klp:18:20: error: unknown action 'frob'; expected alloc, free, adopt, set, save, restore, if-prev or unless-prev",
                "t.klp:19:35: error: missing action; expected on CALLBACK: ACTION, ACTION... with actions alloc, free, adopt, set, save, restore, if-prev, unless-prev",
                "t.klp:20:15: error: unknown data 'nodata'; declared data: loglevel, table",
                "t.klp:21:41: error: unknown value 'quiet' of setting 'console_loglevel'; expected one of: default, motormouth",
                "t.klp:22:14: error: unexpected 'uses'; expected original needs SETTING=V1|V2...",
                "t.klp:23:10: error: unexpected 'frobs'; expected code uses NAME or code needs SETTING=V1|V2...",
                "t.klp:24:20: error: missing '=' in 'console_loglevel'; expected original needs SETTING=V1|V2...",
                "t.klp:25:6: error: duplicate data 'loglevel' (first declared at 2:6)",
                "t.klp:26:10: error: missing values after setting 's'; expected setting NAME VALUE... or setting NAME in MODULE VALUE... (the first value is its boot value)",
                "t.klp:27:13: error: duplicate value 'a' of setting 't'",
            ])
    }

    func testDataAndSettingDeclarationErrors() {
        assertErrors(
            """
            data 9lives
            data a
            data b static
            data c
            data d
            data e
            data a extra
            setting s x y
            setting s x y
            setting t in m x
            setting u x=1 y
            setting 7up x
            patch p
              object vmlinux: pre_patch
            """,
            [
                "t.klp:1:6: error: invalid data name '9lives'; names match [A-Za-z_][A-Za-z0-9_-]*",
                "t.klp:6:6: error: too many data: at most 4 may be declared",
                "t.klp:7:6: error: duplicate data 'a' (first declared at 2:6)",
                "t.klp:7:8: error: unexpected 'extra'; expected 'static' or end of line",
                "t.klp:9:9: error: duplicate setting 's' (first declared at 8:9)",
                "t.klp:10:14: error: unknown module 'm' owning setting 't'; no modules are declared",
                "t.klp:11:11: error: invalid value 'x=1'; a setting's values contain no '=', '|' or ','",
                "t.klp:12:9: error: invalid setting name '7up'; names match [A-Za-z_][A-Za-z0-9_-]*",
            ])
    }

    /// A trailing comma or an empty `on` line: the column stays on the line.
    func testMissingActionColumns() {
        assertErrors(
            "data d\npatch p\n  object vmlinux: pre_patch\n    on pre_patch: alloc d,\n    on pre_patch:\n",
            [
                "t.klp:4:26: error: missing action; expected on CALLBACK: ACTION, ACTION... with actions alloc, free, adopt, set, save, restore, if-prev, unless-prev",
                "t.klp:5:8: error: missing action; expected on CALLBACK: ACTION, ACTION... with actions alloc, free, adopt, set, save, restore, if-prev, unless-prev",
            ])
    }

    func testOriginalBeforeAnyObjectAndAdoptWithTheRightState() {
        assertErrors(
            "data d\nsetting s a b\npatch p\n  original needs s=a\n  object vmlinux: pre_patch\n",
            ["t.klp:4:3: error: 'original' before any 'object'; it belongs to the object declared above it"])
        // A state carrying other data does not make `adopt` of this one legal.
        assertErrors(
            "data d\ndata e\npatch p replace\n  state 1 version 1 carries e\n  object vmlinux: pre_patch\n    on pre_patch: if-prev 1 adopt d\n",
            ["t.klp:6:29: error: 'adopt d' in patch 'p', which has no state carrying it; expected a 'state ID version V carries d' line"])
        XCTAssertNotNil(parse("data d\npatch p replace\n  state 1 version 1 carries d\n  object vmlinux: pre_patch\n    on pre_patch: adopt d\n"))
    }

    func testMalformedActionsAndCarries() {
        assertErrors(
            """
            data d
            setting s a b
            patch p
              state 1 version 1 carries
              state 2 version 1 holds d
              object vmlinux: pre_patch
                on pre_patch alloc d
                on pre_patch: if-prev x alloc d
                on pre_patch: save s d
                on pre_patch: set s=a|b
                on launch: alloc d
            """,
            [
                "t.klp:4:28: error: missing data name after 'carries'; expected state ID version V [carries NAME]",
                "t.klp:5:21: error: unexpected 'holds'; expected 'carries NAME' or end of line",
                "t.klp:7:18: error: missing ':' after callback 'pre_patch'; expected on CALLBACK: ACTION, ACTION...",
                "t.klp:8:27: error: malformed number 'x'; expected a state id, an integer 0 or more",
                "t.klp:9:26: error: unexpected 'd'; expected 'in' (save SETTING in NAME)",
                "t.klp:10:23: error: 'set' takes one value; expected set SETTING=VALUE",
                "t.klp:11:8: error: unknown callback 'launch'; expected pre_patch, post_patch, pre_unpatch or post_unpatch",
            ])
    }
}
