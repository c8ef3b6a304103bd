"""The alert function: tells the store manager what is running out.

`decide` holds pure functions (parse a manifest or low-stock event, format the
e-mail, SMS, WhatsApp text and replenishment order); `handler` is the AWS Lambda
entry point doing the S3/SNS/HTTP I/O. Standard library and boto3 only: no
Django, nothing from the project's apps.
"""
