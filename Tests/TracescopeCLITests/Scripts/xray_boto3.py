"""boto3 against a local X-Ray (moto): `put FILE` puts every line of an X-Ray JSON-lines file as a trace segment
document; `count START END` prints how many segments X-Ray holds for the traces of a window, read back with
GetTraceSummaries and BatchGetTraces. The endpoint and credentials come from the environment."""
import json
import sys

import boto3

client = boto3.client("xray")
if sys.argv[1] == "put":
    documents = [line.strip() for line in open(sys.argv[2]) if line.strip()]
    unprocessed = []
    for i in range(0, len(documents), 50):
        answer = client.put_trace_segments(TraceSegmentDocuments=documents[i : i + 50])
        unprocessed += answer.get("UnprocessedTraceSegments", [])
    print(json.dumps({"put": len(documents), "unprocessed": len(unprocessed)}))
elif sys.argv[1] == "count":
    ids, token = [], None
    while True:
        kwargs = {"StartTime": float(sys.argv[2]), "EndTime": float(sys.argv[3])}
        if token:
            kwargs["NextToken"] = token
        page = client.get_trace_summaries(**kwargs)
        ids += [s["Id"] for s in page.get("TraceSummaries", [])]
        token = page.get("NextToken")
        if not token:
            break
    segments = 0
    for i in range(0, len(ids), 5):
        segments += sum(len(t["Segments"]) for t in client.batch_get_traces(TraceIds=ids[i : i + 5])["Traces"])
    print(json.dumps({"traces": len(ids), "segments": segments}))
