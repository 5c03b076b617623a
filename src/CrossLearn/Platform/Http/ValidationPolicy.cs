using CrossLearn.Platform.Storage;
using FluentValidation;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Wolverine.Http;
using Wolverine.Http.CodeGen;

namespace CrossLearn.Platform.Http;

/// <summary>
/// The one validation middleware: every Wolverine endpoint whose request body type has a FluentValidation
/// validator runs it first, and a failure ends the request with a 400 problem+json before anything is written.
/// </summary>
public sealed class ValidationPolicy : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains.Where(c => c.RequestType != null && c.RequestType != typeof(void)))
        {
            var validatorType = typeof(IValidator<>).MakeGenericType(chain.RequestType!);
            if (!container.HasRegistrationFor(validatorType)) continue;

            chain.Metadata.ProducesProblem(StatusCodes.Status400BadRequest);
            var validate = typeof(ValidationPolicy).GetMethod(nameof(ValidateAsync))!.MakeGenericMethod(chain.RequestType!);
            var call = new MethodCall(typeof(ValidationPolicy), validate);
            chain.Middleware.InsertRange(0, [call, new MaybeEndWithResultFrame(call.ReturnVariable!)]);
        }
    }

    public static async Task<IResult> ValidateAsync<T>(IValidator<T> validator, T request)
    {
        if (request is null)
            return ProblemResponses.Result(StatusCodes.Status400BadRequest, "Missing body", "A JSON body is required.");

        var result = await validator.ValidateAsync(request);
        if (result.IsValid) return WolverineContinue.Result();

        var errors = result.Errors
            .GroupBy(e => JsonNamingPolicyCamelCase(e.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray());
        return Results.ValidationProblem(errors, title: "Invalid request", statusCode: StatusCodes.Status400BadRequest);
    }

    private static string JsonNamingPolicyCamelCase(string name) =>
        System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(name);
}
