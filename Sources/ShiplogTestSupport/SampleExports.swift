/// Exports written for the tests (no genuine Langfuse observation export is published): two generations in
/// the two shapes Langfuse has used (usageDetails/costDetails, and usage/calculatedTotalCost) and one span.
package enum SampleExports {
    package static let langfuseObservations = #"""
        {"data":[
          {"id":"o1","type":"GENERATION","traceId":"t1","traceName":"orders-agent","traceTags":["agent:orders","env:prod"],
           "startTime":"2026-11-02T23:59:59.900Z","model":"gpt-4o","usageDetails":{"input":100,"output":20,"total":120},
           "costDetails":{"input":0.0005,"output":0.0002,"total":0.0007},"metadata":{"agent":"orders"}},
          {"id":"o2","type":"GENERATION","traceId":"t2","traceName":"billing-agent","traceTags":["agent:billing"],
           "startTime":"2026-11-03T08:00:00+02:00","model":"claude","usage":{"input":10,"output":5,"total":15,"unit":"TOKENS"},
           "calculatedTotalCost":0.000123,"metadata":{"agent":"billing"}},
          {"id":"o3","type":"SPAN","traceId":"t2","startTime":"2026-11-03T08:00:01Z"}
        ],"meta":{"page":1,"limit":50,"totalItems":3,"totalPages":1}}
        """#
}
