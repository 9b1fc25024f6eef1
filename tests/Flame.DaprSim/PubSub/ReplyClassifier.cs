using System.Text.Json;

using Flame.DaprSim.Inspection;

namespace Flame.DaprSim.PubSub;

/// <summary>
/// What a subscriber's reply means (daprd: pkg/runtime/subscription/postman/http/http.go <c>Deliver</c>; Dapr docs:
/// publish-subscribe, "App reply / Dapr action"): any 2xx whose body is empty, not JSON, not a JSON object or has no
/// <c>status</c> is SUCCESS; <c>{"status":"SUCCESS"}</c> acknowledges, <c>"RETRY"</c> or any unknown value retries,
/// <c>"DROP"</c> drops; 404 drops; every other status retries. Like Go's decoder, the <c>status</c> key matches
/// case-insensitively and a non-string value is a decode error, hence SUCCESS.
/// </summary>
public static class ReplyClassifier
{
    public static DeliveryOutcome Classify(int statusCode, byte[] body)
    {
        if (statusCode is >= 200 and <= 299)
        {
            return FromBody(body);
        }

        return statusCode == 404 ? DeliveryOutcome.Drop : DeliveryOutcome.Retry;
    }

    private static DeliveryOutcome FromBody(byte[] body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            // Empty or not JSON: daprd skips the status check.
            return DeliveryOutcome.Success;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return DeliveryOutcome.Success;
            }

            var status = document.RootElement.EnumerateObject().LastOrDefault(p => string.Equals(p.Name, "status", StringComparison.OrdinalIgnoreCase));
            if (status.Value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
            {
                return DeliveryOutcome.Success;
            }

            if (status.Value.ValueKind != JsonValueKind.String)
            {
                return DeliveryOutcome.Success;
            }

            return status.Value.GetString() switch
            {
                "" or "SUCCESS" => DeliveryOutcome.Success,
                "DROP" => DeliveryOutcome.Drop,
                _ => DeliveryOutcome.Retry,
            };
        }
    }
}
