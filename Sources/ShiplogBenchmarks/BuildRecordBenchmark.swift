import Foundation

/// `shiplog build record` as CI runs it: a whole process per build, on a local file.
enum BuildRecordBenchmark {
    static let runs = 100

    static func run(in folder: URL, shiplog: URL) throws -> [Finding] {
        let database = folder.appending(path: "record.sqlite").path
        var samples: [Double] = []
        for index in 0 ... runs {  // the first run creates and migrates the file; it is not counted
            let seconds = try ProcessTimer.seconds(shiplog.path, [
                "build", "record", "--db", database, "--service", "gateway",
                "--image", "registry.example.com/acme/gateway:b\(index)", "--digest", IngestBenchmark.digest(index),
                "--commit", "9f2c1e4b7a5d3c8e1f0a2b4c6d8e0f1a3b5c7d9e", "--run-id", "\(index)",
            ])
            if index > 0 { samples.append(seconds) }
        }
        let median = Stopwatch.percentile(samples, 0.5)
        return [Finding(
            name: "shiplog build record, whole process (\(runs) runs)",
            figure: "median \(Stopwatch.ms(median)), p90 \(Stopwatch.ms(Stopwatch.percentile(samples, 0.9)))",
            target: "median <= 30 ms", met: median <= 0.030)]
    }
}
