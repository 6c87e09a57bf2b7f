"""boto3 against a local X-Ray (moto): `put FILE [SECONDS]` puts every line of an X-Ray JSON-lines file as a trace
segment document, its times moved by SECONDS (a second run in a later window); `count START END` prints how many segments X-Ray holds for the traces of a window, read back with
GetTraceSummaries and BatchGetTraces. The endpoint and credentials come from the environment."""
import json
import sys

import boto3

client = boto3.client("xray")


def shifted(value, seconds):
    """The document with every start_time and end_time moved by `seconds`, at any depth."""
    if isinstance(value, dict):
        return {k: (v + seconds if k in ("start_time", "end_time") else shifted(v, seconds)) for k, v in value.items()}
    if isinstance(value, list):
        return [shifted(v, seconds) for v in value]
    return value


if sys.argv[1] == "put":
    shift = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    documents = [line.strip() for line in open(sys.argv[2]) if line.strip()]
    if shift:
        documents = [json.dumps(shifted(json.loads(d), shift), separators=(",", ":")) for d in documents]
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
