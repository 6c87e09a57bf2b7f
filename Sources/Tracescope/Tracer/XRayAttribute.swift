import TraceFormats

/// Attribute names Tracescope reads to shape X-Ray output. Set them on spans (or let the function instrumentation
/// set them) to control what the X-Ray console and `tracescope` show.
public enum XRayAttribute {
    /// Makes the span an X-Ray segment with this origin (`AWS::Lambda`, `AWS::Lambda::Function`, `AWS::EC2::Instance`).
    public static let origin = XRayNaming.originKey
    /// The segment's service name, when it differs from the tracer's.
    public static let serviceName = "service.name"
    /// Prefix of attributes written as X-Ray annotations (indexed, filterable): `annotation.customer_tier`.
    public static let annotationPrefix = "annotation."
    /// Prefix of attributes written into the `aws` block: `aws.operation`, `aws.table_name`, `aws.queue_url`.
    public static let awsPrefix = "aws."
    /// Marks a call to an AWS service (namespace `aws`), named by the value: `DynamoDB`, `SQS`, `S3`.
    public static let awsService = XRayNaming.awsServiceKey
}
