package io.stare.actors.controller;

import com.fasterxml.jackson.annotation.JacksonAnnotationsInside;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.stare.protocol.control.DeclareState;
import io.stare.protocol.control.LatestUpdateQuery;
import io.stare.protocol.control.ListStates;
import io.stare.protocol.control.LookupState;
import io.stare.protocol.control.Recover;
import io.stare.protocol.control.RegisterVnf;
import io.stare.protocol.control.TruncationQuery;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a message field of the sealed type {@code ControlRequest} so Jackson CBOR writes which
 * request it holds: the field's declared type is an interface, and Jackson cannot pick a record to
 * read back without a type name. Short names rather than class names, so the wire never names a Java
 * class. Lists every permitted subtype; a test checks it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
@JacksonAnnotationsInside
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = RegisterVnf.class, name = "RegisterVnf"),
    @JsonSubTypes.Type(value = DeclareState.class, name = "DeclareState"),
    @JsonSubTypes.Type(value = LookupState.class, name = "LookupState"),
    @JsonSubTypes.Type(value = ListStates.class, name = "ListStates"),
    @JsonSubTypes.Type(value = Recover.class, name = "Recover"),
    @JsonSubTypes.Type(value = LatestUpdateQuery.class, name = "LatestUpdateQuery"),
    @JsonSubTypes.Type(value = TruncationQuery.class, name = "TruncationQuery")
})
@interface ControlRequestTyped {
}
