@testable import KLPEngine
import XCTest

/// The one probe sequence of the open-addressing visited sets.
final class BucketIteratorTests: XCTestCase {
    func testAProbeVisitsEveryBucketOnceFromItsHomeThenWraps() {
        let capacity = 7
        for hash: UInt64 in [0, 1 << 40, 0x00ff_ffff_ffff_ffff, 0x1234_5678_9abc_def0] {
            var probe = BucketIterator(hash: hash, capacity: capacity)
            let home = probe.bucket
            XCTAssertEqual(home, BucketIterator.home(hash: hash, capacity: capacity))
            XCTAssertTrue((0..<capacity).contains(home))
            var visited: [Int] = []
            for _ in 0..<capacity {
                visited.append(probe.bucket)
                probe.advance()
            }
            XCTAssertEqual(visited, (0..<capacity).map { (home + $0) % capacity }, "hash \(hash)")
            XCTAssertEqual(probe.bucket, home, "back home after a whole round")
            XCTAssertTrue(probe.wrapped, "a whole round passes the last bucket once")
        }
    }

    func testTheHomeBucketIsAMultiplyShiftOfTheLow56Bits() {
        // The top byte picks the segment; the rest spreads over the capacity.
        XCTAssertEqual(BucketIterator.home(hash: 0xff00_0000_0000_0000, capacity: 1000), 0)
        XCTAssertEqual(BucketIterator.home(hash: 0x0080_0000_0000_0000, capacity: 1000), 500)
        XCTAssertEqual(BucketIterator.home(hash: 0x00ff_ffff_ffff_ffff, capacity: 1000), 999)
    }

    func testASecondWrapTraps() {
        // A probe that goes round a whole segment twice would spin for ever
        // in a full table: it traps instead (in a child process).
        runIsolated(self, expectingCrash: true) {
            var probe = BucketIterator(hash: 0x00ff_ffff_ffff_ffff, capacity: 4)
            for _ in 0..<8 { probe.advance() }
        }
    }
}
