"""Runs the AWS sample (github.com/aws-samples/fedramp-integrated-inventory-workbook) on a
file of Config items, for `make bench`'s side-by-side figure.

    python tests/bench_python_sample.py SAMPLE_SRC INPUT OUTPUT

SAMPLE_SRC is the sample's `src` folder (the sample is not part of this repository; see
the README's Benchmark section). The sample reads AWS Config through boto3, one select
result (an item as JSON text) at a time; this driver hands it the same items from the
JSON Lines file instead and does what its reader and report handler do with them: the
first mapper that takes the type maps the item, and the rows go into its workbook
template with openpyxl. Nothing is sent to AWS.
"""
import json
import os
import shutil
import sys


def main(src: str, input_path: str, output_path: str) -> None:
    # The sample's modules make boto3 clients when imported (default arguments).
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("AWS_REGION", "us-east-1")
    sys.path.insert(0, src)
    from inventory.mappers import (  # noqa: E402 (the path is set just above)
        DynamoDbTableDataMapper,
        EC2DataMapper,
        ElbDataMapper,
        RdsDataMapper,
    )
    from inventory import reports  # noqa: E402

    mappers = [EC2DataMapper(), ElbDataMapper(), DynamoDbTableDataMapper(), RdsDataMapper()]
    inventory = []
    with open(input_path, encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            # As the sample's reader does with each select result's text.
            resource = json.loads(line)
            mapper = next((m for m in mappers if m.can_map(resource["resourceType"])), None)
            if mapper is not None:
                inventory.extend(mapper.map(resource))
    written = reports.CreateReportCommandHandler().execute(inventory)
    shutil.move(written, output_path)
    print(f"rows: {len(inventory)}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
