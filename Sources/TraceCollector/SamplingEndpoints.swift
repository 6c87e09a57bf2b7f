/// Fixed answers for the X-Ray SDKs' sampling pollers: one default rule (1 a second + 5%), no targets.
enum SamplingEndpoints {
    static let rules =
        #"{"SamplingRuleRecords":[{"SamplingRule":{"RuleName":"Default","RuleARN":"arn:aws:xray:local:000000000000:sampling-rule/Default","ResourceARN":"*","Priority":10000,"FixedRate":0.05,"ReservoirSize":1,"ServiceName":"*","ServiceType":"*","Host":"*","HTTPMethod":"*","URLPath":"*","Version":1,"Attributes":{}},"CreatedAt":0,"ModifiedAt":0}]}"#
    static let targets = #"{"SamplingTargetDocuments":[],"LastRuleModification":0,"UnprocessedStatistics":[]}"#
}
