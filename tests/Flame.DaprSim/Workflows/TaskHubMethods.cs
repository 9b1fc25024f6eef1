using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

using Grpc.Core;

using D = Dapr.DurableTask.Protobuf;

namespace Flame.DaprSim.Workflows;

/// <summary>
/// Method descriptors of <c>TaskHubSidecarService</c> (no proto package, so paths like <c>/TaskHubSidecarService/GetWorkItems</c>)
/// with Dapr's message types, as Dapr.Workflow calls them. Dapr.Workflow.Grpc ships only the client, so the server binds these.
/// </summary>
public static class TaskHubMethods
{
    public const string ServiceName = "TaskHubSidecarService";

    public static readonly Method<Empty, Empty> Hello = Unary("Hello", Empty.Parser, Empty.Parser);

    public static readonly Method<D.CreateInstanceRequest, D.CreateInstanceResponse> StartInstance = Unary("StartInstance", D.CreateInstanceRequest.Parser, D.CreateInstanceResponse.Parser);

    public static readonly Method<D.GetInstanceRequest, D.GetInstanceResponse> GetInstance = Unary("GetInstance", D.GetInstanceRequest.Parser, D.GetInstanceResponse.Parser);

    public static readonly Method<D.GetInstanceRequest, D.GetInstanceResponse> WaitForInstanceStart = Unary("WaitForInstanceStart", D.GetInstanceRequest.Parser, D.GetInstanceResponse.Parser);

    public static readonly Method<D.GetInstanceRequest, D.GetInstanceResponse> WaitForInstanceCompletion = Unary("WaitForInstanceCompletion", D.GetInstanceRequest.Parser, D.GetInstanceResponse.Parser);

    public static readonly Method<D.RaiseEventRequest, D.RaiseEventResponse> RaiseEvent = Unary("RaiseEvent", D.RaiseEventRequest.Parser, D.RaiseEventResponse.Parser);

    public static readonly Method<D.TerminateRequest, D.TerminateResponse> TerminateInstance = Unary("TerminateInstance", D.TerminateRequest.Parser, D.TerminateResponse.Parser);

    public static readonly Method<D.SuspendRequest, D.SuspendResponse> SuspendInstance = Unary("SuspendInstance", D.SuspendRequest.Parser, D.SuspendResponse.Parser);

    public static readonly Method<D.ResumeRequest, D.ResumeResponse> ResumeInstance = Unary("ResumeInstance", D.ResumeRequest.Parser, D.ResumeResponse.Parser);

    public static readonly Method<D.PurgeInstancesRequest, D.PurgeInstancesResponse> PurgeInstances = Unary("PurgeInstances", D.PurgeInstancesRequest.Parser, D.PurgeInstancesResponse.Parser);

    public static readonly Method<D.ActivityResponse, D.CompleteTaskResponse> CompleteActivityTask = Unary("CompleteActivityTask", D.ActivityResponse.Parser, D.CompleteTaskResponse.Parser);

    public static readonly Method<D.WorkflowResponse, D.CompleteTaskResponse> CompleteOrchestratorTask = Unary("CompleteOrchestratorTask", D.WorkflowResponse.Parser, D.CompleteTaskResponse.Parser);

    public static readonly Method<D.WorkflowResponse, D.CompleteTaskResponse> CompleteWorkflowTask = Unary("CompleteWorkflowTask", D.WorkflowResponse.Parser, D.CompleteTaskResponse.Parser);

    public static readonly Method<D.GetWorkItemsRequest, D.WorkItem> GetWorkItems = new(
        MethodType.ServerStreaming, ServiceName, "GetWorkItems", Marshaller(D.GetWorkItemsRequest.Parser), Marshaller(D.WorkItem.Parser));

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string name, MessageParser<TRequest> request, MessageParser<TResponse> response)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        new(MethodType.Unary, ServiceName, name, Marshaller(request), Marshaller(response));

    private static Marshaller<T> Marshaller<T>(MessageParser<T> parser)
        where T : class, IMessage<T> => Marshallers.Create(m => m.ToByteArray(), parser.ParseFrom);
}
