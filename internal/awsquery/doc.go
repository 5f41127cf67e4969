// Package awsquery owns the AWS query protocol shared by STS and IAM: decoding parameters from
// a POST form or a GET query string (bounded), the Name.member.N list forms, and rendering
// results and errors as the protocol's XML. It knows nothing about any one service's actions.
// See https://smithy.io/2.0/aws/protocols/aws-query-protocol.html.
package awsquery
